import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { App, AppOptions, ToolConfig, ViewConfig } from 'dwv';

/**
 * A DICOM image (X-ray, ultrasound) drawn by dwv, with the window/level tool active: dragging left–right changes the
 * window width, up–down the level (centre). The current window is shown under the image.
 */
export function DicomView({ blob, name, testId }: { blob: Blob; name: string; testId: string }) {
  const { t } = useTranslation();
  const divId = `dicom-${useId().replace(/[^a-zA-Z0-9]/g, '')}`;
  const [state, setState] = useState<'loading' | 'ready' | { error: string }>('loading');
  const [wl, setWl] = useState<{ width: number; center: number } | null>(null);
  const app = useRef<App | null>(null);
  useEffect(() => {
    const a = new App();
    app.current = a;
    const options = new AppOptions({ '*': [new ViewConfig(divId)] });
    options.tools = { WindowLevel: new ToolConfig() };
    a.init(options);
    const readWl = () => {
      const vc = a.getActiveLayerGroup()?.getActiveViewLayer()?.getViewController();
      const w = vc?.getWindowLevel();
      if (w) setWl({ width: Math.round(w.width), center: Math.round(w.center) });
    };
    a.addEventListener('load', () => {
      a.setTool('WindowLevel');
      setState('ready');
      readWl();
    });
    a.addEventListener('wlchange', readWl);
    a.addEventListener('error', (e: { error?: { message?: string } }) => setState({ error: e?.error?.message ?? 'unreadable file' }));
    a.loadFiles([new File([blob], name, { type: 'application/dicom' })]);
    const onResize = () => a.onResize();
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      a.abortAllLoads();
      a.reset();
      app.current = null;
    };
  }, [blob, name, divId]);
  return (
    <div className="viewer-pane dicom" data-testid={testId} data-state={typeof state === 'string' ? state : 'error'} data-window={wl ? `${wl.width}/${wl.center}` : ''}>
      <p className="muted">{t('viewer.windowLevel')}</p>
      <div id={divId} className="dicom-stage" />
      {state === 'loading' && <p className="muted" role="status">{t('viewer.loadingDicom')}</p>}
      {typeof state === 'object' && <div role="alert" className="alert">{t('viewer.dicomFailed', { detail: state.error })}</div>}
      {wl && <p className="muted" data-testid="dicom-window">{t('viewer.window', { width: wl.width, center: wl.center })}</p>}
    </div>
  );
}
