/** The social networks a profiles block links to (the server's list, model/blocks.ts), each with a small mark. */

export const socialNetworks = [
  { id: 'instagram', name: 'Instagram', mark: 'IG', colour: '#c13584' },
  { id: 'tiktok', name: 'TikTok', mark: 'TT', colour: '#000000' },
  { id: 'youtube', name: 'YouTube', mark: '▶', colour: '#cc0000' },
  { id: 'x', name: 'X', mark: 'X', colour: '#000000' },
  { id: 'facebook', name: 'Facebook', mark: 'f', colour: '#1565c0' },
  { id: 'linkedin', name: 'LinkedIn', mark: 'in', colour: '#0a66c2' },
  { id: 'github', name: 'GitHub', mark: 'GH', colour: '#24292f' },
  { id: 'spotify', name: 'Spotify', mark: '♫', colour: '#117a37' },
  { id: 'twitch', name: 'Twitch', mark: 'Tw', colour: '#6441a5' },
  { id: 'mastodon', name: 'Mastodon', mark: 'M', colour: '#563acc' },
  { id: 'threads', name: 'Threads', mark: '@', colour: '#000000' },
  { id: 'bluesky', name: 'Bluesky', mark: 'B', colour: '#0560c7' },
  { id: 'website', name: 'Website', mark: '⌂', colour: '#4b5563' },
] as const;

/** A network's mark: decoration beside its name (hidden from assistive technology, which reads the name). */
export function NetworkBadge({ network }: { network: string }) {
  const found = socialNetworks.find((candidate) => candidate.id === network) ?? socialNetworks[socialNetworks.length - 1]!;
  return (
    <span class="bio-network" style={{ background: found.colour }} aria-hidden="true">
      {found.mark}
    </span>
  );
}
