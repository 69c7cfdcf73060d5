import { createHash } from 'node:crypto';
import type { BlockType } from '../model/blocks.js';
import { embedOrigins, embedSrc, type EmbedRef } from '../model/embeds.js';
import { resolveTheme, type Theme } from '../model/theme.js';
import { textDirection } from '@plinth/sdk';
import { html, SafeHtml } from './escape.js';
import { type PageTranslate, pageMessages } from './page-messages.js';
import { pageStyle } from './page-style.js';

/** What a public page is rendered from. */
export interface PageSite {
  id: string;
  slug: string;
  title: string;
  bio: string;
  avatar_url: string | null;
  theme: Partial<Theme>;
  seo: { title?: string | null; description?: string | null; image_url?: string | null };
}

/** A block on the page (live now). */
export interface PageBlock {
  id: string;
  type: BlockType;
  data: Record<string, unknown>;
}

/** A rendered page, with the headers that belong to it. */
export interface RenderedPage {
  status: number;
  html: string;
  etag: string;
  csp: string;
}

const networkNames: Record<string, string> = {
  instagram: 'Instagram',
  tiktok: 'TikTok',
  youtube: 'YouTube',
  x: 'X',
  facebook: 'Facebook',
  linkedin: 'LinkedIn',
  github: 'GitHub',
  spotify: 'Spotify',
  twitch: 'Twitch',
  mastodon: 'Mastodon',
  threads: 'Threads',
  bluesky: 'Bluesky',
  website: 'Website',
};

const text = (value: unknown) => (typeof value === 'string' ? value : '');

function renderBlock(site: PageSite, block: PageBlock, t: PageTranslate, preview: boolean): SafeHtml {
  const data = block.data;
  switch (block.type) {
    case 'link': {
      const icon = text(data.icon) ? html`<span aria-hidden="true">${text(data.icon)}</span>` : html``;
      return html`<li>
        <a class="link" href="/b/${site.slug}/l/${block.id}">${icon}<span>${text(data.title)}</span></a>
      </li>`;
    }
    case 'heading':
      return html`<li><h2>${text(data.text)}</h2></li>`;
    case 'text':
      return html`<li><p class="text">${text(data.text)}</p></li>`;
    case 'image':
      return html`<li>
        <figure><img src="${text(data.url)}" alt="${text(data.alt)}" loading="lazy" decoding="async" /></figure>
      </li>`;
    case 'social': {
      const links = (data.links as { network: string; url: string }[]).map(
        (link) => html`<li><a href="${link.url}" rel="me noopener noreferrer">${networkNames[link.network] ?? link.network}</a></li>`,
      );
      return html`<li>
        <nav aria-label="${t('socialProfiles')}">
          <ul class="social">
            ${links}
          </ul>
        </nav>
      </li>`;
    }
    case 'embed': {
      const embed = data as unknown as EmbedRef & { title: string | null };
      const title = embed.title || (embed.provider === 'youtube' ? t('youtubeVideo') : t('spotifyPlayer'));
      // The console's preview frame takes the console's Content-Security-Policy, which loads no third-party frames.
      if (preview) return html`<li class="embed ${embed.provider}"><p class="placeholder">▶ ${title}</p></li>`;
      return html`<li class="embed ${embed.provider}">
        <iframe
          src="${embedSrc(embed)}"
          title="${title}"
          loading="lazy"
          referrerpolicy="strict-origin-when-cross-origin"
          sandbox="allow-scripts allow-same-origin allow-popups allow-presentation"
          allow="encrypted-media; picture-in-picture; fullscreen"
          allowfullscreen
        ></iframe>
      </li>`;
    }
    case 'email_capture': {
      const field = `email-${block.id}`;
      const description = text(data.description) ? html`<p>${text(data.description)}</p>` : html``;
      return html`<li>
        <form method="post" action="/b/${site.slug}/subscribe">
          <h2>${text(data.title)}</h2>
          ${description}<label for="${field}">${t('emailAddress')}</label
          ><input id="${field}" type="email" name="email" required maxlength="254" autocomplete="email" /><span class="hp" aria-hidden="true"
            ><label for="hp-${block.id}">${t('leaveEmpty')}</label><input id="hp-${block.id}" name="website" tabindex="-1" autocomplete="off" /></span
          ><button type="submit">${text(data.button_label)}</button>
        </form>
      </li>`;
    }
    case 'product': {
      // Made from the shop's offer when the page is built (see page-loader): name, formatted price, buy page, image.
      const image = text(data.image) ? html`<img src="${text(data.image)}" alt="" loading="lazy" decoding="async" />` : html``;
      return html`<li>
        <article class="product">
          ${image}
          <h2>${text(data.name)}</h2>
          <p class="price">${text(data.price)}</p>
          <a class="link" href="${text(data.href)}">${text(data.label) || t('buy')}<span class="sr"> — ${text(data.name)}</span></a>
        </article>
      </li>`;
    }
  }
}

function finish(status: number, body: string, styleHash: string, frames: string[]): RenderedPage {
  const frameSrc = frames.length > 0 ? `frame-src ${frames.join(' ')}` : "frame-src 'none'";
  const csp = `default-src 'none'; style-src ${styleHash}; img-src 'self' https: data:; ${frameSrc}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;
  return { status, html: body, csp, etag: `"${createHash('sha1').update(body).update(csp).digest('base64url')}"` };
}

/**
 * The site's public page: semantic, self-contained (inline CSS, no script), every user string escaped. `preview`:
 * for the console's preview frame, which cannot load embedded players (they are shown as placeholders).
 */
export function renderPage(site: PageSite, blocks: readonly PageBlock[], options: { subscribed: boolean; locale: string; preview?: boolean }): RenderedPage {
  const t = pageMessages.translator(options.locale);
  const style = pageStyle(resolveTheme(site.theme));
  const title = site.seo.title || site.title;
  const description = site.seo.description || site.bio.slice(0, 200);
  const image = site.seo.image_url || site.avatar_url;
  const frames = [...new Set(blocks.filter((block) => block.type === 'embed').map((block) => embedOrigins[(block.data as unknown as EmbedRef).provider]))];
  const avatar = site.avatar_url ? html`<img class="avatar" src="${site.avatar_url}" alt="${site.title}" width="96" height="96" />` : html``;
  const og = html`<meta property="og:type" content="profile" /><meta property="og:title" content="${title}" /><meta
      property="og:description"
      content="${description}"
    />${
      image
        ? html`<meta property="og:image" content="${image}" /><meta name="twitter:card" content="summary_large_image" />`
        : html`<meta name="twitter:card" content="summary" />`
    }`;
  const page = html`<!doctype html>
    <html lang="${options.locale}" dir="${textDirection(options.locale)}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>${title}</title>
        <meta name="description" content="${description}" />
        ${og}
        <link rel="icon" href="data:," />
        <style>
          ${new SafeHtml(style.css)}
        </style>
      </head>
      <body>
        <main>
          <header>
            ${avatar}
            <h1>${site.title}</h1>
            ${site.bio ? html`<p class="bio">${site.bio}</p>` : html``}
          </header>
          ${options.subscribed ? html`<p class="notice" id="subscribed" role="status">${t('subscribed')}</p>` : html``}
          <ul class="blocks">
            ${blocks.map((block) => renderBlock(site, block, t, options.preview === true))}
          </ul>
        </main>
      </body>
    </html>`;
  return finish(200, page.value, style.hash, frames);
}

/** A short page with one message (an error, a notice), styled like the sites, in `locale`'s language and direction. */
export function renderMessage(status: number, heading: string, message: string, locale: string): RenderedPage {
  const style = pageStyle(resolveTheme({}));
  const page = html`<!doctype html>
    <html lang="${locale}" dir="${textDirection(locale)}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>${heading}</title>
        <link rel="icon" href="data:," />
        <style>
          ${new SafeHtml(style.css)}
        </style>
      </head>
      <body>
        <main>
          <h1>${heading}</h1>
          <p>${message}</p>
        </main>
      </body>
    </html>`;
  return finish(status, page.value, style.hash, []);
}

/** The page for an unknown or unpublished site (`page`), or an unknown link (`link`), in the tenant's language. */
export function renderNotFound(locale: string, what: 'page' | 'link' = 'page'): RenderedPage {
  const language = pageMessages.language(locale);
  const t = pageMessages.translator(language);
  return renderMessage(404, t('notFoundTitle'), t(what === 'link' ? 'linkUnavailable' : 'notFoundBody'), language);
}
