import { useState } from 'react';
import type { SessionInfo } from '../api/types.ts';
import { navigate } from '../lib/router.ts';
import { PAGES, type PagePath } from '../routes.ts';

interface SidebarProps {
  current: PagePath;
  session: SessionInfo;
  onSignOut: () => void;
}

export function Sidebar({ current, session, onSignOut }: SidebarProps) {
  const [open, setOpen] = useState(false);
  const who = session.principal;
  return (
    <header className={open ? 'sidebar sidebar-open' : 'sidebar'}>
      <div className="sidebar-top">
        <span className="brand">fluxgate</span>
        <button
          type="button"
          className="button-secondary menu-toggle"
          aria-expanded={open}
          aria-controls="sidebar-nav"
          onClick={() => setOpen(!open)}
        >
          Menu
        </button>
      </div>
      <nav id="sidebar-nav" aria-label="Console">
        <ul>
          {PAGES.map((page) => (
            <li key={page.path}>
              <a
                href={page.path}
                aria-current={page.path === current ? 'page' : undefined}
                onClick={(event) => {
                  if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
                  event.preventDefault();
                  setOpen(false);
                  navigate(page.path);
                  document.getElementById('main')?.focus();
                }}
              >
                {page.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div className="sidebar-account">
        <p className="who">
          Signed in as <strong>{who.name}</strong>
          <span className="who-kind">
            {who.kind}
            {who.role === undefined ? '' : ` · ${who.role}`}
          </span>
        </p>
        <button type="button" className="button-secondary" onClick={onSignOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}
