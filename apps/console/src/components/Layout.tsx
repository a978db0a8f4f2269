import { useEffect, useRef, type MouseEvent, type ReactNode } from 'react';
import { hrefOf, navigate } from '../router.js';
import type { Session } from '../session.js';

export interface NavItem {
  slug: string;
  title: string;
}

/** The shell: a side navigation at desktop width that becomes a wrapping top bar on a phone. */
export function Layout({
  session,
  items,
  current,
  onSignOut,
  children,
}: {
  session: Session;
  items: NavItem[];
  current: string;
  onSignOut: () => void;
  children: ReactNode;
}) {
  const main = useRef<HTMLElement>(null);
  const previous = useRef(current);
  // After following a link, keyboard and screen-reader users continue in the new page, not in the navigation.
  useEffect(() => {
    if (previous.current !== current) main.current?.focus({ preventScroll: true });
    previous.current = current;
  }, [current]);

  const follow = (slug: string) => (event: MouseEvent<HTMLAnchorElement>) => {
    // Plain clicks stay in the app; a middle or modified click opens a tab as a link should.
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(slug);
  };
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Console">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            ⇄
          </span>
          <span className="brand-name">Switchyard</span>
        </div>
        <ul className="nav-list">
          {items.map((item) => (
            <li key={item.slug}>
              <a
                href={hrefOf(item.slug)}
                onClick={follow(item.slug)}
                aria-current={item.slug === current ? 'page' : undefined}
              >
                {item.title}
              </a>
            </li>
          ))}
        </ul>
        <div className="account">
          <span className="account-role">{session.role === 'operator' ? 'Operator' : 'Signed in as'}</span>
          {session.role === 'user' && (
            <span className="account-label" title={session.label}>
              {session.label}
            </span>
          )}
          <button type="button" className="button-secondary button-small" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </nav>
      <main id="main" className="content" tabIndex={-1} ref={main}>
        {children}
      </main>
    </div>
  );
}
