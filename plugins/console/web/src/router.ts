import { useEffect, useState } from 'preact/hooks';

/** The current location: path and query parameters. */
export interface Location {
  path: string;
  query: URLSearchParams;
  /** Counts navigations: following a link to the page already shown still loads it afresh. */
  key: number;
}

let navigations = 0;

const listeners = new Set<() => void>();

function current(): Location {
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search), key: navigations };
}

/** Goes to an app URL without reloading (`replace` keeps the history entry). */
export function navigate(url: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  window.scrollTo(0, 0);
  navigations += 1;
  for (const listener of listeners) listener();
}

/** Re-renders on navigation; returns the location. */
export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return location;
}

/** Lets plain `<a href="/…">` links of the app navigate without a reload (modifier-clicks still open tabs). */
export function interceptLinks(): void {
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element | null)?.closest?.('a');
    if (!anchor || anchor.target || anchor.hasAttribute('download') || anchor.origin !== window.location.origin) return;
    if (anchor.pathname.startsWith('/api/') || anchor.pathname.startsWith('/web/')) return;
    // A link within the page (the skip link's `#main`) moves focus and scroll the browser's own way.
    if (anchor.hash && anchor.pathname === window.location.pathname && anchor.search === window.location.search) return;
    event.preventDefault();
    navigate(anchor.pathname + anchor.search);
  });
}

/** Matches `/t/:slug/members` against a path; the named segments, or undefined. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const patternParts = pattern.split('/').filter(Boolean);
  const pathParts = path.split('/').filter(Boolean);
  const params: Record<string, string> = {};
  for (let index = 0; index < patternParts.length; index++) {
    const part = patternParts[index]!;
    if (part === '*') {
      params['*'] = pathParts.slice(index).map(decodeURIComponent).join('/');
      return params;
    }
    const value = pathParts[index];
    if (value === undefined) return undefined;
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(value);
    else if (part !== value) return undefined;
  }
  return patternParts.length === pathParts.length ? params : undefined;
}
