import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";

export interface MenuItem {
  label: string;
  onSelect?: () => void;
  /** A link instead of an action (e.g. a download). */
  href?: string;
  download?: boolean;
  danger?: boolean;
  disabled?: boolean;
}

interface MenuProps {
  label: string;
  /** The accessible name of the button when the label alone is ambiguous. */
  ariaLabel?: string;
  items: MenuItem[];
}

/** A menu button: arrow keys move, Enter picks, Escape closes and returns focus. */
export function Menu({ label, ariaLabel, items }: MenuProps) {
  const [open, setOpen] = useState(false);
  const [place, setPlace] = useState<{ top: number; right: number }>({ top: 0, right: 0 });
  const button = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const id = useId();

  const measure = () => {
    const rect = button.current?.getBoundingClientRect();
    if (rect) setPlace({ top: rect.bottom + 4, right: Math.max(8, window.innerWidth - rect.right) });
  };

  useEffect(() => {
    if (!open) return;
    list.current?.querySelector<HTMLElement>("[role=menuitem]:not([aria-disabled=true])")?.focus({ preventScroll: true });
    const outside = (e: Event) => {
      const target = e.target as Node;
      if (!list.current?.contains(target) && !button.current?.contains(target)) setOpen(false);
    };
    const follow = () => {
      const rect = button.current?.getBoundingClientRect();
      if (rect) setPlace({ top: rect.bottom + 4, right: Math.max(8, window.innerWidth - rect.right) });
    };
    document.addEventListener("mousedown", outside);
    window.addEventListener("scroll", follow, true);
    window.addEventListener("resize", follow);
    return () => {
      document.removeEventListener("mousedown", outside);
      window.removeEventListener("scroll", follow, true);
      window.removeEventListener("resize", follow);
    };
  }, [open]);

  const toggle = () => {
    measure();
    setOpen((o) => !o);
  };

  const onKey = (e: KeyboardEvent<HTMLUListElement>) => {
    const entries = [...(list.current?.querySelectorAll<HTMLElement>("[role=menuitem]") ?? [])];
    const at = entries.indexOf(document.activeElement as HTMLElement);
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      entries[(at + step + entries.length) % entries.length]?.focus();
    } else if (e.key === "Home" || e.key === "End") {
      e.preventDefault();
      (e.key === "Home" ? entries[0] : entries[entries.length - 1])?.focus();
    } else if (e.key === "Escape" || e.key === "Tab") {
      if (e.key === "Escape") e.preventDefault();
      setOpen(false);
      button.current?.focus();
    }
  };

  const pick = (item: MenuItem) => {
    setOpen(false);
    button.current?.focus();
    item.onSelect?.();
  };

  return (
    <div className="menu">
      <button
        ref={button}
        type="button"
        className="btn btn-small"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        aria-label={ariaLabel}
        onClick={toggle}
      >
        {label} ▾
      </button>
      {open && (
        <ul
          ref={list}
          id={id}
          role="menu"
          className="menu-list"
          style={{ top: place.top, right: place.right }}
          onKeyDown={onKey}
        >
          {items.map((item) => (
            <li key={item.label} role="none">
              {item.href ? (
                <a
                  role="menuitem"
                  tabIndex={-1}
                  href={item.href}
                  download={item.download ? "" : undefined}
                  onClick={() => pick({ ...item, onSelect: undefined })}
                >
                  {item.label}
                </a>
              ) : (
                <button
                  type="button"
                  role="menuitem"
                  tabIndex={-1}
                  className={item.danger ? "danger" : undefined}
                  aria-disabled={item.disabled || undefined}
                  onClick={() => !item.disabled && pick(item)}
                >
                  {item.label}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
