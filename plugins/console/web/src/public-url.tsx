/**
 * Public addresses a record has (a bio page, a short link, a certificate, a checkout link): shown in full, with
 * the host, and three actions: open in a new tab, copy (announced politely), and a QR code to scan.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Icon } from './icons';
import { shellText } from './shell-messages';
import { Dialog } from './ui';

export { publicUrlOf } from './columns';

/**
 * A public address with open, copy and QR actions; `compact` shows the actions as icon buttons (table cells);
 * `qr={false}` leaves the QR button out (`<plinth-share>` shows the code itself).
 */
export function PublicUrl({ url, compact = false, qr: withQr = true }: { url: string; compact?: boolean; qr?: boolean }) {
  const [status, setStatus] = useState('');
  const [qr, setQr] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setStatus(shellText('copied'));
    } catch {
      setStatus(shellText('copyFailed'));
    }
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setStatus(''), 4000);
  };
  return (
    <span class={`public-url${compact ? ' compact' : ''}`}>
      <a href={url} target="_blank" rel="noopener noreferrer" class="public-url-text" dir="ltr">
        {url}
      </a>
      <span class="public-url-actions">
        <a class="button secondary small" href={url} target="_blank" rel="noopener noreferrer" aria-label={shellText('openLabel', { url })}>
          <Icon name="external" />
          {!compact && <span>{shellText('open')}</span>}
        </a>
        <button type="button" class="secondary small" onClick={() => void copy()} aria-label={shellText('copyLabel', { url })}>
          <Icon name={status === shellText('copied') ? 'check' : 'copy'} />
          {!compact && <span>{shellText('copy')}</span>}
        </button>
        {withQr && (
          <button type="button" class="secondary small" onClick={() => setQr(true)} aria-label={shellText('qrLabel', { url })}>
            <Icon name="qr" />
            {!compact && <span>{shellText('qr')}</span>}
          </button>
        )}
      </span>
      <span class="visually-hidden" role="status" aria-live="polite">
        {status}
      </span>
      {qr && <QrDialog url={url} onClose={() => setQr(false)} />}
    </span>
  );
}

/** The QR code of an address, drawn as SVG by the `qrcode` library, fetched only when a QR code is asked for. */
function QrDialog({ url, onClose }: { url: string; onClose(): void }) {
  const [svg, setSvg] = useState<string>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    import('qrcode')
      .then((qrcode) => qrcode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }))
      .then(
        (drawn) => live && setSvg(drawn),
        () => live && setFailed(true),
      );
    return () => {
      live = false;
    };
  }, [url]);
  const download = useMemo(() => (svg ? URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' })) : undefined), [svg]);
  useEffect(
    () => () => {
      if (download) URL.revokeObjectURL(download);
    },
    [download],
  );
  return (
    <Dialog title={shellText('qrTitle')} onClose={onClose}>
      <p class="muted">{shellText('qrHelp', { url })}</p>
      {failed ? (
        <p class="banner error" role="alert">
          {shellText('qrFailed')}
        </p>
      ) : svg ? (
        // The library's own SVG markup (paths and rects only, from a string it encodes itself).
        <div class="qr-code" role="img" aria-label={shellText('qrLabel', { url })} dangerouslySetInnerHTML={{ __html: svg }} />
      ) : (
        <p class="loading" role="status">
          <span class="spinner" aria-hidden="true" />
        </p>
      )}
      <div class="dialog-actions">
        {download && (
          <a class="button secondary" href={download} download="qr-code.svg">
            {shellText('qrDownload')}
          </a>
        )}
        <button type="button" onClick={onClose}>
          {shellText('close')}
        </button>
      </div>
    </Dialog>
  );
}
