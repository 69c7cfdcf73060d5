/**
 * `<plinth-share url="…">`' rendering: the public address with Open and Copy (public-url.tsx), and its QR code
 * shown at once with a link to download it as a PNG (to print on a flyer).
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useLanguage } from '../i18n';
import { PublicUrl } from '../public-url';
import { shellText } from '../shell-messages';
import type { SharedRenderer } from './define';

export const shareRenderer: SharedRenderer = {
  render(host) {
    render(<Share url={String(host.props.url ?? '')} />, host);
  },
  unmount(host) {
    render(null, host);
  },
};

function Share({ url }: { url: string }) {
  useLanguage();
  if (!url) return null;
  return (
    <div class="plinth-share">
      <PublicUrl url={url} qr={false} />
      <QrImage url={url} />
    </div>
  );
}

/** The address's QR code as a PNG (the `qrcode` library, fetched with the first one). */
function QrImage({ url }: { url: string }) {
  const [png, setPng] = useState<string>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    setPng(undefined);
    setFailed(false);
    import('qrcode')
      .then((qrcode) => qrcode.toDataURL(url, { errorCorrectionLevel: 'M', margin: 2, width: 320 }))
      .then(
        (drawn) => live && setPng(drawn),
        () => live && setFailed(true),
      );
    return () => {
      live = false;
    };
  }, [url]);
  if (failed)
    return (
      <p class="banner error" role="alert">
        {shellText('qrFailed')}
      </p>
    );
  if (!png)
    return (
      <p class="loading" role="status">
        <span class="spinner" aria-hidden="true" />
      </p>
    );
  return (
    <figure class="plinth-share-qr">
      <img src={png} width={160} height={160} alt={shellText('qrLabel', { url })} />
      <figcaption>
        <a class="button secondary small" href={png} download="qr-code.png">
          {shellText('qrDownloadPng')}
        </a>
      </figcaption>
    </figure>
  );
}
