import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useEffect, useState, type ComponentType } from 'react';
import { ApiError } from './api/client.js';
import { signOut } from './api/session.js';
import { Layout, type NavItem } from './components/Layout.js';
import { Loading } from './components/states.js';
import { KeysPage } from './pages/KeysPage.js';
import { MonitoringPage } from './pages/MonitoringPage.js';
import { OverviewPage } from './pages/OverviewPage.js';
import { PlaygroundPage } from './pages/PlaygroundPage.js';
import { QueuesPage } from './pages/QueuesPage.js';
import { SignInPage } from './pages/SignInPage.js';
import { UsersPage } from './pages/UsersPage.js';
import { currentSlug, navigate, replaceSlug, useSlug } from './router.js';
import { forgetSession, readSession, saveSession, type Role, type Session } from './session.js';

// The chart pages carry the chart library; loading them on first visit keeps sign-in and the other pages light.
const UsagePage = lazy(() =>
  import('./pages/UsagePage.js').then((module) => ({ default: module.UsagePage })),
);
const ProvidersPage = lazy(() =>
  import('./pages/ProvidersPage.js').then((module) => ({ default: module.ProvidersPage })),
);

interface PageEntry extends NavItem {
  Page: ComponentType;
}

const pagesByRole: Record<Role, PageEntry[]> = {
  user: [
    { slug: '', title: 'Overview', Page: OverviewPage },
    { slug: 'usage', title: 'Usage', Page: UsagePage },
    { slug: 'keys', title: 'Keys & providers', Page: KeysPage },
    { slug: 'monitoring', title: 'Monitoring', Page: MonitoringPage },
    { slug: 'playground', title: 'Playground', Page: PlaygroundPage },
  ],
  operator: [
    { slug: 'providers', title: 'Providers', Page: ProvidersPage },
    { slug: 'users', title: 'Users & plans', Page: UsersPage },
    { slug: 'queues', title: 'Queues', Page: QueuesPage },
  ],
};

export function App() {
  const [session, setSession] = useState<Session | null>(readSession);
  const [notice, setNotice] = useState<string | null>(null);
  const slug = useSlug();
  const queryClient = useQueryClient();

  const endSession = useCallback(
    (reason: string | null) => {
      forgetSession();
      queryClient.clear();
      setSession(null);
      setNotice(reason);
      navigate('');
      void signOut();
    },
    [queryClient],
  );

  // A key revoked (or an admin key rotated) while the tab is open: back to sign-in, saying why.
  useEffect(
    () =>
      queryClient.getQueryCache().subscribe((event) => {
        const error: unknown =
          event.type === 'updated' && event.action.type === 'error' ? event.action.error : null;
        if (error instanceof ApiError && error.status === 401)
          endSession(`Signed out: ${error.message} Sign in again.`);
      }),
    [queryClient, endSession],
  );

  const pages = session ? pagesByRole[session.role] : [];
  // A path of the other role (or an unknown one) shows the role's first page.
  const page = pages.find((entry) => entry.slug === slug) ?? pages[0];

  useEffect(() => {
    document.title = page ? `${page.title} · Switchyard` : 'Sign in · Switchyard';
    // The address names the page shown, so reloading or sharing it shows the same page.
    if (page && page.slug !== slug) replaceSlug(page.slug);
  }, [page, slug]);

  if (!session || !page) {
    return (
      <SignInPage
        notice={notice}
        onSignedIn={(signedIn) => {
          saveSession(signedIn);
          queryClient.clear();
          setSession(signedIn);
          setNotice(null);
          // A link into the role's pages (opened while signed out) is kept; anything else starts at the first page.
          if (!pagesByRole[signedIn.role].some((entry) => entry.slug === currentSlug()))
            navigate(pagesByRole[signedIn.role][0]!.slug);
        }}
      />
    );
  }

  return (
    <Layout session={session} items={pages} current={page.slug} onSignOut={() => endSession(null)}>
      <Suspense fallback={<Loading what="the page" />}>
        <page.Page key={page.slug} />
      </Suspense>
    </Layout>
  );
}
