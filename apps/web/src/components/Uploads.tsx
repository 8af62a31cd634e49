import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fetchBlobUrl } from '../api/client';
import type { UploadProgress } from '../api/upload';

export function UploadList({ items }: { items: UploadProgress[] }) {
  const { t } = useTranslation();
  if (!items.length) return null;
  return (
    <ul className="uploads" aria-label={t('uploads.label')}>
      {items.map((u) => {
        const pct = u.total ? Math.round((u.sent / u.total) * 100) : 0;
        return (
          <li key={u.name}>
            <span>{u.name}</span>
            <progress max={100} value={u.state === 'done' ? 100 : pct} aria-label={t('uploads.of', { name: u.name })} />
            <span className={u.state === 'failed' ? 'field-error' : 'muted'} data-testid={`upload-state-${u.name}`} aria-live="polite">
              {u.state === 'uploading' ? `${pct}%` : u.state === 'failed' ? u.error : u.note}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

/** A protected image (thumbnail) fetched with the access token. */
export function AuthImage({ src, alt }: { src: string; alt: string }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let revoked = false;
    let made: string | null = null;
    fetchBlobUrl(src)
      .then((u) => {
        made = u;
        if (!revoked) setUrl(u);
      })
      .catch(() => setUrl(null));
    return () => {
      revoked = true;
      if (made) URL.revokeObjectURL(made);
    };
  }, [src]);
  return url ? <img src={url} alt={alt} className="thumb" /> : <span className="thumb placeholder">{alt}</span>;
}
