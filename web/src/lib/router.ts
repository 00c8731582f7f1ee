/**
 * Hash routes (#/segments/KEY...), so the server serves one index.html and needs no fallback.
 */

export type Route =
  | { page: "segments" }
  | { page: "new"; template?: string }
  | { page: "segment"; key: string }
  | { page: "edit"; key: string }
  | { page: "runs" }
  | { page: "system" }
  | { page: "destinations" }
  | { page: "destination"; key: string }
  | { page: "exports" }
  | { page: "not-found"; path: string };

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, "");
  const [pathPart = "", queryPart = ""] = raw.split("?", 2);
  const parts = pathPart.split("/").filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(queryPart);
  const [first, second, third] = parts;
  if (parts.length === 0 || (first === "segments" && parts.length === 1)) return { page: "segments" };
  if (first === "segments" && second === "new" && parts.length === 2) {
    const template = query.get("template");
    return template ? { page: "new", template } : { page: "new" };
  }
  if (first === "segments" && second !== undefined && parts.length === 2) return { page: "segment", key: second };
  if (first === "segments" && second !== undefined && third === "edit" && parts.length === 3) {
    return { page: "edit", key: second };
  }
  if (first === "runs" && parts.length === 1) return { page: "runs" };
  if (first === "system" && parts.length === 1) return { page: "system" };
  if (first === "destinations" && parts.length === 1) return { page: "destinations" };
  if (first === "destinations" && second !== undefined && parts.length === 2) return { page: "destination", key: second };
  if (first === "exports" && parts.length === 1) return { page: "exports" };
  return { page: "not-found", path: raw };
}

export function href(route: Route): string {
  switch (route.page) {
    case "segments":
      return "#/segments";
    case "new":
      return route.template ? `#/segments/new?template=${encodeURIComponent(route.template)}` : "#/segments/new";
    case "segment":
      return `#/segments/${encodeURIComponent(route.key)}`;
    case "edit":
      return `#/segments/${encodeURIComponent(route.key)}/edit`;
    case "runs":
      return "#/runs";
    case "system":
      return "#/system";
    case "destinations":
      return "#/destinations";
    case "destination":
      return `#/destinations/${encodeURIComponent(route.key)}`;
    case "exports":
      return "#/exports";
    case "not-found":
      return `#${route.path}`;
  }
}

export function navigate(route: Route): void {
  window.location.hash = href(route);
}
