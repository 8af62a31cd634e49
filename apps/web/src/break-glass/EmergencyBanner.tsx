import { useTranslation } from 'react-i18next';
import type { EmergencyAccessView } from '@hub/contracts';
import { formatTime } from '../i18n/format';

/**
 * Shown on every page of a case the reader opens through break-the-glass: the reason they gave and when the access
 * ends ("Emergency access — reason — ends at 14:32"). Everything they open under it is audited as emergency access.
 */
export function EmergencyBanner({ access }: { access: EmergencyAccessView | null | undefined }) {
  const { t } = useTranslation();
  if (!access) return null;
  return (
    <section className="evacuation-banner emergency-banner" role="status" aria-label={t('breakGlass.title')} data-testid="emergency-banner">
      <strong>{t('breakGlass.banner', { reason: access.reason, time: formatTime(access.expiresAt) })}</strong>
      <p className="muted">{t('breakGlass.bannerNote')}</p>
    </section>
  );
}
