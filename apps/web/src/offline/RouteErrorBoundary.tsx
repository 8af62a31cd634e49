import { Component, ReactNode } from 'react';
import { useLocation } from 'wouter';
import { S } from './strings';

interface State {
  error: Error | null;
}

class Boundary extends Component<{ children: ReactNode; at: string }, State> {
  state: State = { error: null };
  static getDerivedStateFromError(error: Error): State {
    return { error };
  }
  componentDidUpdate(prev: { at: string }) {
    // Another screen was chosen: let it try.
    if (prev.at !== this.props.at && this.state.error) this.setState({ error: null });
  }
  render() {
    if (!this.state.error) return this.props.children;
    return (
      <main className="page">
        <h1>{navigator.onLine ? S.screenFailed : S.screenOffline}</h1>
        <div role="alert" className="notice" data-testid="screen-unavailable">
          {navigator.onLine ? S.screenFailed : S.screenOffline}
        </div>
        {/* A screen whose code failed to load stays failed until the page is loaded again (React.lazy keeps the result). */}
        <p>
          <button type="button" onClick={() => window.location.reload()}>{S.tryAgain}</button>
        </p>
      </main>
    );
  }
}

/** Keeps the app (and its top bar) when a screen cannot be shown, e.g. its code is not on this device and the link is down. */
export function RouteErrorBoundary({ children }: { children: ReactNode }) {
  const [pathname] = useLocation();
  return <Boundary at={pathname}>{children}</Boundary>;
}
