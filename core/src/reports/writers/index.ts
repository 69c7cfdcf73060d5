import type { ReportFormat } from '@plinth/sdk';
import type { ReportWriter } from './report-writer.js';

export { OutputClosed, type WriterColumn, type WriterInput } from './report-writer.js';

/** The file's media type and extension, by format. */
export const formatFiles: Record<ReportFormat, { contentType: string; extension: string }> = {
  csv: { contentType: 'text/csv', extension: 'csv' },
  xlsx: { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extension: 'xlsx' },
  pdf: { contentType: 'application/pdf', extension: 'pdf' },
};

/**
 * The writer of a format, loaded on first use: exceljs and pdfkit (with fontkit) weigh tens of megabytes that a
 * process which never writes a report never loads.
 */
export async function writerFor(format: ReportFormat): Promise<ReportWriter> {
  switch (format) {
    case 'csv':
      return (await import('./csv-writer.js')).writeCsv;
    case 'xlsx':
      return (await import('./xlsx-writer.js')).writeXlsx;
    case 'pdf':
      return (await import('./pdf-writer.js')).writePdf;
  }
}
