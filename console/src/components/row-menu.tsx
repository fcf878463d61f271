import { type KeyboardEvent, useEffect, useId, useLayoutEffect, useRef, useState } from 'react';

export interface MenuItem {
  label: string;
  onSelect: () => void;
  danger?: boolean;
}

/** The ⋮ menu of a row: a menu button, arrow keys between items, Escape back to the button. */
export function RowMenu({ label, items }: { label: string; items: MenuItem[] }) {
  const [open, setOpen] = useState(false);
  const [place, setPlace] = useState<{ top: number; right: number }>({ top: 0, right: 0 });
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const id = useId();

  useEffect(() => {
    if (!open) return;
    menu.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus({ preventScroll: true });
    const onPointer = (event: MouseEvent) => {
      if (!menu.current?.contains(event.target as Node) && event.target !== button.current) setOpen(false);
    };
    const close = () => setOpen(false);
    // The menu is fixed to the window: once its button has moved (a scroll of the page or the table), it closes.
    const opened = button.current?.getBoundingClientRect();
    const onScroll = () => {
      const now = button.current?.getBoundingClientRect();
      if (opened === undefined || now === undefined || now.top !== opened.top || now.left !== opened.left) close();
    };
    document.addEventListener('mousedown', onPointer);
    window.addEventListener('resize', close);
    window.addEventListener('scroll', onScroll, true);
    return () => {
      document.removeEventListener('mousedown', onPointer);
      window.removeEventListener('resize', close);
      window.removeEventListener('scroll', onScroll, true);
    };
  }, [open]);

  // A menu that would run off the bottom of the window opens above its button instead (scrolling closes it).
  useLayoutEffect(() => {
    if (!open) return;
    const box = menu.current?.getBoundingClientRect();
    const anchor = button.current?.getBoundingClientRect();
    if (box === undefined || anchor === undefined || box.bottom <= window.innerHeight - 4) return;
    const top = Math.max(8, anchor.top - box.height - 4);
    if (top !== place.top) setPlace({ ...place, top });
  }, [open, place]);

  // Fixed to the viewport under its button, so a table that scrolls sideways cannot clip it.
  const toggle = () => {
    const rect = button.current?.getBoundingClientRect();
    if (rect !== undefined) setPlace({ top: rect.bottom + 4, right: Math.max(8, window.innerWidth - rect.right) });
    setOpen((was) => !was);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const entries = [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const at = entries.indexOf(document.activeElement as HTMLElement);
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      entries[(at + step + entries.length) % entries.length]?.focus();
    } else if (event.key === 'Home' || event.key === 'End') {
      event.preventDefault();
      (event.key === 'Home' ? entries[0] : entries[entries.length - 1])?.focus();
    } else if (event.key === 'Escape' || event.key === 'Tab') {
      if (event.key === 'Escape') event.preventDefault();
      setOpen(false);
      button.current?.focus();
    }
  };

  return (
    <div className="row-menu">
      <button
        ref={button}
        type="button"
        className="button-icon"
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={toggle}
      >
        ⋮
      </button>
      {open ? (
        <div
          ref={menu}
          id={id}
          role="menu"
          aria-label={label}
          className="menu"
          style={place}
          tabIndex={-1}
          onKeyDown={onKeyDown}
        >
          {items.map((item) => (
            <button
              key={item.label}
              type="button"
              role="menuitem"
              tabIndex={-1}
              className={item.danger ? 'menu-item menu-item-danger' : 'menu-item'}
              onClick={() => {
                setOpen(false);
                item.onSelect();
              }}
            >
              {item.label}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
