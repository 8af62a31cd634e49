import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AttachmentView } from '@hub/contracts';
import { fetchBlobUrl } from '../api/client';
import { download, formatSize, openFile } from '../training/api';
import { AuthImage } from './Uploads';

/** A protected video, fetched with the access token and played from a blob URL. */
function AuthVideo({ a }: { a: AttachmentView }) {
  const [url, setUrl] = useState<string | null>(null);
  const { t } = useTranslation();
  useEffect(() => {
    let made: string | null = null;
    let gone = false;
    fetchBlobUrl(a.url).then((u) => (gone ? URL.revokeObjectURL(u) : setUrl((made = u)))).catch(() => setUrl(null));
    return () => {
      gone = true;
      if (made) URL.revokeObjectURL(made);
    };
  }, [a.url]);
  return url ? <video src={url} controls preload="metadata" aria-label={a.filename} style={{ maxWidth: '100%' }} /> : <span className="muted">{t('common.loadingItem', { name: a.filename })}</span>;
}

/** A lesson attachment: images inline, videos playable, PDFs (and anything else) opened or downloaded. */
export function Attachment({ a }: { a: AttachmentView }) {
  const { t } = useTranslation();
  if (a.mediaType.startsWith('image/')) return <figure><AuthImage src={a.url} alt={a.filename} /><figcaption className="muted">{a.filename}</figcaption></figure>;
  if (a.mediaType.startsWith('video/')) return <figure><AuthVideo a={a} /><figcaption className="muted">{a.filename}</figcaption></figure>;
  return (
    <p>
      <span className="tag">{a.mediaType === 'application/pdf' ? 'PDF' : a.mediaType}</span> {a.filename} <span className="muted">({formatSize(a.size)})</span>
      <button type="button" className="secondary small" onClick={() => void openFile(a)}>{t('common.open')}</button>
      <button type="button" className="secondary small" onClick={() => void download(a.url, a.filename)}>{t('common.download')}</button>
    </p>
  );
}
