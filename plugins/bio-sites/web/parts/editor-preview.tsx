/**
 * The live preview: the page as the server renders it for visitors (`GET /sites/:id/preview`, the same renderer as
 * the public page), in a phone-sized frame. It is fetched again shortly after each saved change (`version`).
 *
 * The HTML goes into a sandboxed `srcdoc` frame: no scripts, no forms, no navigation of the console. It keeps the
 * console's origin (`allow-same-origin`, harmless without `allow-scripts`) because the public files it shows
 * (avatar, images) are served `Cross-Origin-Resource-Policy: same-origin`, which an opaque origin may not load.
 * A `srcdoc` frame inherits the console's Content-Security-Policy, which allows the page's inline stylesheet and
 * its images (https and this host's files) but no third-party frames: the server renders embedded players as
 * placeholders here. The frame is inert (a picture of the page): its links would leave the editor, and count
 * as clicks.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorBanner, type Plinth, sitePath } from './editor-common';

/** How long the preview waits after a change before asking again (several quick changes make one request). */
const debounceMs = 250;

export function Preview({ plinth, siteId, version }: { plinth: Plinth; siteId: string; version: number }) {
  const { t } = plinth;
  const [html, setHtml] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const frame = useRef<HTMLIFrameElement>(null);
  const [height, setHeight] = useState<number>();
  const resizes = useRef<ResizeObserver>(undefined);
  /** Makes the frame as tall as its page, now and as it grows (images arriving): readable thanks to `allow-same-origin`. */
  function fitFrame() {
    const page = frame.current?.contentDocument?.documentElement;
    if (!page) return;
    const measure = () => setHeight(Math.ceil(page.scrollHeight));
    measure();
    resizes.current?.disconnect();
    resizes.current = new ResizeObserver(measure);
    resizes.current.observe(page);
  }
  useEffect(() => () => resizes.current?.disconnect(), []);

  useEffect(() => {
    let live = true;
    setLoading(true);
    const timer = setTimeout(() => {
      plinth.call<{ html: string }>('GET', `${sitePath(siteId)}/preview`).then(
        (answer) => {
          if (!live) return;
          setHtml(answer.data.html);
          setError(undefined);
          setLoading(false);
        },
        (caught: unknown) => {
          if (!live) return;
          setError(caught);
          setLoading(false);
        },
      );
    }, debounceMs);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [siteId, version]);
  return (
    <section class="bio-preview" aria-labelledby="bio-preview-heading" aria-busy={loading}>
      <h2 id="bio-preview-heading">{t('Preview')}</h2>
      <ErrorBanner error={error} />
      <div class="bio-phone">
        {/* The screen scrolls (the frame is as tall as the page in it, and inert): focusable, so keys scroll it too. */}
        <div class="bio-phone-screen" tabIndex={0} role="region" aria-label={t('Preview of your page')}>
          {html !== undefined && (
            <iframe
              ref={frame}
              title={t('Preview of your page')}
              sandbox="allow-same-origin"
              srcdoc={html}
              inert
              style={height ? { height: `${height}px` } : undefined}
              onLoad={fitFrame}
              data-version={version}
              data-loading={loading ? 'true' : 'false'}
            />
          )}
        </div>
      </div>
    </section>
  );
}
