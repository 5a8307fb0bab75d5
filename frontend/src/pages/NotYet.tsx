import type { PageName } from '../lib/route';

const coming: Partial<Record<PageName, { title: string; text: string }>> = {
  private: {
    title: 'Private',
    text: 'Private collections will live here: records encrypted on this computer and decrypted only here, who you shared each collection with (and since when), key rotations, and your recovery code and backup status.',
  },
  delegation: {
    title: 'Delegation',
    text: 'Here you will see the people who can act for you and the accounts you can act for, with what each may do, when it was granted and last used, and an audit log of what was done.',
  },
  plugins: {
    title: 'Plugins',
    text: 'Plugins will extend Hearth. Each will show what it asks to do in plain words (“Can read your posts”) before you enable it, with its calls, errors and logs.',
  },
  exposure: {
    title: 'Exposure',
    text: 'A step-by-step guide will make Hearth reachable from the internet: choose a provider, connect, check the public address, update your DID document and tell the relays. Until then Hearth is only reachable from this computer.',
  },
};

/** NotYet is the calm placeholder of a page a later version fills. */
export function NotYet({ page }: { page: PageName }) {
  const c = coming[page] ?? { title: page, text: '' };
  return (
    <div className="page">
      <h1 className="page-title">{c.title}</h1>
      <section className="card not-yet" aria-label={`${c.title} is not yet available`}>
        <h2>Not yet available</h2>
        <p>{c.text}</p>
        <p className="muted">Nothing to do here for now: your account works without it.</p>
      </section>
    </div>
  );
}
