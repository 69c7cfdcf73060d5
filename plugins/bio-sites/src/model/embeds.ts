/** An embed of a known provider, as stored: only ids, never the URL given. */
export interface EmbedRef {
  provider: 'youtube' | 'spotify';
  /** Spotify's kind of item (`track`, `album`…); `video` for YouTube. */
  kind: string;
  id: string;
}

/** The frame origins the page's Content-Security-Policy allows, per provider. */
export const embedOrigins: Record<EmbedRef['provider'], string> = {
  youtube: 'https://www.youtube-nocookie.com',
  spotify: 'https://open.spotify.com',
};

const youtubeHosts = new Set(['youtube.com', 'www.youtube.com', 'm.youtube.com', 'music.youtube.com', 'youtu.be', 'www.youtube-nocookie.com']);
const youtubeId = /^[A-Za-z0-9_-]{11}$/;
const spotifyKinds = new Set(['track', 'album', 'playlist', 'episode', 'show', 'artist']);
const spotifyId = /^[A-Za-z0-9]{22}$/;

/** Recognises a YouTube or Spotify URL; undefined for anything else. */
export function parseEmbedUrl(value: string): EmbedRef | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const segments = url.pathname.split('/').filter(Boolean);
  if (youtubeHosts.has(url.hostname)) {
    const id =
      url.hostname === 'youtu.be'
        ? segments[0]
        : segments[0] === 'watch'
          ? (url.searchParams.get('v') ?? undefined)
          : ['embed', 'shorts', 'live'].includes(segments[0] ?? '')
            ? segments[1]
            : undefined;
    return id && youtubeId.test(id) ? { provider: 'youtube', kind: 'video', id } : undefined;
  }
  if (url.hostname === 'open.spotify.com') {
    const rest = segments[0]?.startsWith('intl-') ? segments.slice(1) : segments;
    const [kind, id] = rest[0] === 'embed' ? rest.slice(1) : rest;
    return kind && id && spotifyKinds.has(kind) && spotifyId.test(id) ? { provider: 'spotify', kind, id } : undefined;
  }
  return undefined;
}

/** The iframe `src` of a stored embed, built from its validated ids only. */
export function embedSrc(embed: EmbedRef): string {
  if (embed.provider === 'youtube') return `${embedOrigins.youtube}/embed/${embed.id}`;
  return `${embedOrigins.spotify}/embed/${embed.kind}/${embed.id}`;
}
