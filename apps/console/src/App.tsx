import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useState, type ComponentType } from 'react';
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
import { navigate, useSlug } from './router.js';
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
  const slug = useSlug();
  const queryClient = useQueryClient();

  const pages = session ? pagesByRole[session.role] : [];
  // A path of the other role (or an unknown one) shows the role's first page.
  const page = pages.find((entry) => entry.slug === slug) ?? pages[0];

  useEffect(() => {
    document.title = page ? `${page.title} · Switchyard` : 'Sign in · Switchyard';
  }, [page]);

  if (!session || !page) {
    return (
      <SignInPage
        onSignedIn={(signedIn) => {
          saveSession(signedIn);
          queryClient.clear();
          setSession(signedIn);
          navigate(pagesByRole[signedIn.role][0]!.slug);
        }}
      />
    );
  }

  const handleSignOut = () => {
    forgetSession();
    queryClient.clear();
    setSession(null);
    navigate('');
    void signOut();
  };

  return (
    <Layout session={session} items={pages} current={page.slug} onSignOut={handleSignOut}>
      <Suspense fallback={<Loading what="the page" />}>
        <page.Page key={page.slug} />
      </Suspense>
    </Layout>
  );
}
