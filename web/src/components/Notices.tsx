import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";

export interface Notice {
  id: number;
  kind: "success" | "error" | "info";
  text: string;
  link?: { href: string; label: string };
}

interface NoticeApi {
  notify: (kind: Notice["kind"], text: string, link?: Notice["link"]) => void;
}

const NoticeContext = createContext<NoticeApi>({ notify: () => undefined });

let next = 0;

/** Messages about what just happened: announced to screen readers, dismissible. */
export function NoticeProvider({ children }: { children: ReactNode }) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const dismiss = useCallback((id: number) => setNotices((all) => all.filter((n) => n.id !== id)), []);
  const notify = useCallback<NoticeApi["notify"]>(
    (kind, text, link) => {
      const id = ++next;
      setNotices((all) => [...all.slice(-3), { id, kind, text, link }]);
      if (kind !== "error") window.setTimeout(() => dismiss(id), 8000);
    },
    [dismiss],
  );
  const value = useMemo(() => ({ notify }), [notify]);
  return (
    <NoticeContext.Provider value={value}>
      {children}
      <div className="notices" aria-live="polite">
        {notices.map((n) => (
          <div key={n.id} className={`notice notice-${n.kind}`} role={n.kind === "error" ? "alert" : "status"}>
            <span>{n.text}</span>
            {n.link && <a href={n.link.href}>{n.link.label}</a>}
            <button type="button" className="btn-link" aria-label="Dismiss message" onClick={() => dismiss(n.id)}>
              ✕
            </button>
          </div>
        ))}
      </div>
    </NoticeContext.Provider>
  );
}

// eslint-disable-next-line react-refresh/only-export-components
export function useNotify(): NoticeApi["notify"] {
  return useContext(NoticeContext).notify;
}
