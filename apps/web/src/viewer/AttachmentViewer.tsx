import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TransformComponent, TransformWrapper } from 'react-zoom-pan-pinch';
import { fetchBlob } from '../api/client';
import { isDicom, type ViewerItem } from './viewable';

// dwv (with its canvas library) is large: loaded only when a DICOM file is opened.
const DicomView = lazy(() => import('./DicomView').then((m) => ({ default: m.DicomView })));


/** The original file as a blob (fetched once per opening, with the access token). */
function useBlob(url: string) {
  const [state, setState] = useState<{ blob: Blob; objectUrl: string } | 'failed' | null>(null);
  useEffect(() => {
    let gone = false;
    let made: string | null = null;
    setState(null);
    fetchBlob(url)
      .then((blob) => {
        if (gone) return;
        made = URL.createObjectURL(blob);
        setState({ blob, objectUrl: made });
      })
      .catch(() => !gone && setState('failed'));
    return () => {
      gone = true;
      if (made) URL.revokeObjectURL(made);
    };
  }, [url]);
  return state;
}

/** Saves the original bytes under the file's own name. */
async function downloadOriginal(item: ViewerItem) {
  const blob = await fetchBlob(item.url);
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = item.filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** One file full size: an image with zoom and pan, or a DICOM image with window/level. */
function Pane({ item, testId }: { item: ViewerItem; testId: string }) {
  const { t } = useTranslation();
  const file = useBlob(item.url);
  const [scale, setScale] = useState(1);
  if (file === 'failed') return <div role="alert" className="alert">{t('viewer.failed')}</div>;
  if (!file) return <p className="muted" role="status">{isDicom(item) ? t('viewer.loadingDicom') : t('viewer.loadingImage')}</p>;
  if (isDicom(item)) {
    return (
      <Suspense fallback={<p className="muted" role="status">{t('viewer.loadingDicom')}</p>}>
        <DicomView blob={file.blob} name={item.filename} testId={testId} />
      </Suspense>
    );
  }
  return (
    <TransformWrapper minScale={0.5} maxScale={12} centerOnInit onTransform={(_r, s) => setScale(s.scale)}>
      {({ zoomIn, zoomOut, resetTransform }) => (
        <div className="viewer-pane" data-testid={testId} data-scale={scale.toFixed(2)}>
          <div className="viewer-tools">
            <button type="button" className="secondary small" onClick={() => zoomIn()}>{t('viewer.zoomIn')}</button>
            <button type="button" className="secondary small" onClick={() => zoomOut()}>{t('viewer.zoomOut')}</button>
            <button type="button" className="secondary small" onClick={() => resetTransform()}>{t('viewer.reset')}</button>
            <span className="muted">{Math.round(scale * 100)} %</span>
          </div>
          <TransformComponent wrapperClass="viewer-stage" contentClass="viewer-content">
            <img src={file.objectUrl} alt={item.filename} className="viewer-image" />
          </TransformComponent>
        </div>
      )}
    </TransformWrapper>
  );
}

/**
 * Attachments full size in a dialog: previous/next, zoom and pan (wheel, drag, pinch or the buttons), side by side
 * with a second file (before/after), the original bytes downloadable. Escape closes it.
 */
export function AttachmentViewer(props: { items: ViewerItem[]; startId: string; onClose: () => void }) {
  const { t } = useTranslation();
  const { items, onClose } = props;
  const [index, setIndex] = useState(Math.max(0, items.findIndex((i) => i.id === props.startId)));
  const [compare, setCompare] = useState<number | null>(null);
  const dialog = useRef<HTMLDivElement>(null);
  const item = items[index];
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    dialog.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      opener?.focus?.();
    };
  }, [onClose]);
  if (!item) return null;
  const other = compare === null ? null : items[compare];
  return (
    <div className="viewer-backdrop">
      <div className="viewer" role="dialog" aria-modal="true" aria-label={t('viewer.title')} tabIndex={-1} ref={dialog} data-testid="viewer">
        <div className="viewer-bar">
          <strong>{item.filename}</strong>
          {items.length > 1 && (
            <>
              <button type="button" className="secondary small" disabled={index === 0} onClick={() => setIndex(index - 1)}>{t('viewer.previous')}</button>
              <button type="button" className="secondary small" disabled={index === items.length - 1} onClick={() => setIndex(index + 1)}>{t('viewer.next')}</button>
              <label>
                {t('viewer.compareWith')}{' '}
                <select value={compare ?? ''} onChange={(e) => setCompare(e.target.value === '' ? null : Number(e.target.value))} data-testid="viewer-compare">
                  <option value="">{t('viewer.single')}</option>
                  {items.map((x, i) => i !== index && <option key={x.id} value={i}>{x.filename}</option>)}
                </select>
              </label>
            </>
          )}
          <button type="button" className="secondary small" onClick={() => void downloadOriginal(item)}>{t('viewer.downloadOriginal')}</button>
          <button type="button" className="small" onClick={onClose}>{t('common.close')}</button>
        </div>
        <div className={other ? 'viewer-panes side-by-side' : 'viewer-panes'}>
          <Pane key={item.id} item={item} testId="viewer-pane" />
          {other && <Pane key={`b-${other.id}`} item={other} testId="viewer-pane-compare" />}
        </div>
      </div>
    </div>
  );
}
