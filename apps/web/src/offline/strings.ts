import i18n from '../i18n';

const t = i18n.t.bind(i18n);

/** The offline layer's sentences, from the catalogues (apps/web/src/i18n/locales, group `offline`). */
export const S = {
  draftSaved: (time: string) => t('offline.draftSaved', { time }),
  get queued() { return t('offline.queued'); },
  outboxTitle: (count: number) => t('offline.outboxTitle', { count }),
  get outboxLabel() { return t('offline.outboxLabel'); },
  get outboxWaiting() { return t('offline.waiting'); },
  get outboxSending() { return t('offline.sending'); },
  get outboxRefused() { return t('offline.refused'); },
  get discard() { return t('offline.discard'); },
  get sendNow() { return t('offline.sendNow'); },
  get linkDown() { return t('offline.linkDown'); },
  get sessionNeeded() { return t('offline.sessionNeeded'); },
  get hubProblem() { return t('offline.hubProblem'); },
  get screenOffline() { return t('offline.screenOffline'); },
  get screenFailed() { return t('offline.screenFailed'); },
  get tryAgain() { return t('offline.tryAgain'); },
  newCaseLabel: (patient: string) => (patient ? t('offline.newCaseFor', { patient }) : t('offline.newCase')),
  patientLabel: (name: string) => t('offline.patient', { name }),
  messageLabel: (reference: string) => t('offline.message', { reference }),
  photosMessage: (count: number) => t('offline.photos', { count }),
  get checking() { return t('offline.checking'); },
  get linkLost() { return t('offline.linkLost'); },
  resumingAt: (percent: number) => t('offline.resumingAt', { percent }),
  get sent() { return t('offline.sent'); },
  uploadRefused: (name: string, status: number) => t('offline.uploadRefused', { name, status }),
  get noConfirmation() { return t('offline.noConfirmation'); },
};
