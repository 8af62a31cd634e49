import { createElement, useCallback, type ReactNode } from 'react';
import { Link, useLocation, type LinkProps } from 'wouter';

/**
 * Thin helpers over wouter (the app's router: ~2.5 kB against react-router's ~12 kB in the boot chunk, which is the
 * officer home's critical path on a satellite link). They keep the two react-router habits the screens rely on;
 * the routing itself (matching, history, links) is wouter's.
 */

export interface NavigateOptions {
  replace?: boolean;
  state?: unknown;
}

/**
 * react-router's `navigate(to, { replace, state })` and `navigate(-1)` (a step back in the browser's history) on top
 * of wouter's `[, navigate] = useLocation()`. The function stays the same between renders (effects depend on it).
 */
export function useNavigate(): (to: string | number, options?: NavigateOptions) => void {
  const [, navigate] = useLocation();
  return useCallback(
    (to: string | number, options?: NavigateOptions) => {
      if (typeof to === 'number') history.go(to);
      else navigate(to, options);
    },
    [navigate],
  );
}

/** The same path, without a trailing slash and letter case (react-router's NavLink compares them so). */
const norm = (path: string) => (path.length > 1 ? path.replace(/\/+$/, '') : path).toLowerCase();

/** Whether `to` is the current screen: the path itself or, unless `end`, a screen under it (react-router's NavLink). */
export function isActivePath(current: string, to: string, end = false): boolean {
  const here = norm(current);
  const target = norm(to.split('?')[0]);
  return here === target || (!end && (target === '/' || here.startsWith(`${target}/`)));
}

type NavLinkProps = { to: string; end?: boolean; className?: string; children?: ReactNode } & Omit<LinkProps, 'to' | 'href' | 'className' | 'children' | 'asChild'>;

/** A link that says when it is the current screen: class `active` and aria-current="page", as react-router's NavLink. */
export function NavLink({ to, end = false, className, ...rest }: NavLinkProps) {
  const [path] = useLocation();
  const active = isActivePath(path, to, end);
  const classes = [className, active ? 'active' : ''].filter(Boolean).join(' ') || undefined;
  return createElement(Link, { ...rest, to, className: classes, 'aria-current': active ? 'page' : undefined } as LinkProps);
}
