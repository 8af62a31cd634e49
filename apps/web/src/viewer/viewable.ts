export interface ViewerItem {
  id: string;
  filename: string;
  mediaType: string | null;
  /** The original bytes (no thumbnail parameter). */
  url: string;
}

export const isDicom = (i: Pick<ViewerItem, 'mediaType'>) => i.mediaType === 'application/dicom';
/** Files the viewer shows: images and DICOM (PDFs open in the browser's own viewer). */
export const isViewable = (i: Pick<ViewerItem, 'mediaType'>) => !!i.mediaType && (i.mediaType.startsWith('image/') || isDicom(i));
