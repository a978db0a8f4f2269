import { useEffect, useState } from 'react';

/** The console lives under /console/; the gateway answers index.html for any path below it. */
export const basePath = '/console/';

/** The page slug from the current path: `/console/usage` -> `usage`, `/console/` -> ``. */
export function currentSlug(pathname = window.location.pathname): string {
  const rest = pathname.startsWith(basePath) ? pathname.slice(basePath.length) : '';
  return rest.replace(/\/+$/, '').split('/')[0] ?? '';
}

export function hrefOf(slug: string): string {
  return `${basePath}${slug}`;
}

const changeEvent = 'console:navigate';

export function navigate(slug: string): void {
  if (currentSlug() === slug) return;
  window.history.pushState(null, '', hrefOf(slug));
  window.dispatchEvent(new Event(changeEvent));
}

/** Corrects the address without a history entry (a path the signed-in role has no page for). */
export function replaceSlug(slug: string): void {
  window.history.replaceState(null, '', hrefOf(slug));
  window.dispatchEvent(new Event(changeEvent));
}

/** The current slug, following links and the browser's back/forward buttons. */
export function useSlug(): string {
  const [slug, setSlug] = useState(currentSlug);
  useEffect(() => {
    const update = () => setSlug(currentSlug());
    window.addEventListener('popstate', update);
    window.addEventListener(changeEvent, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(changeEvent, update);
    };
  }, []);
  return slug;
}
