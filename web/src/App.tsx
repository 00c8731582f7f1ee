import { BuilderPage } from "./builder/BuilderPage";
import { DetailsPage } from "./details/DetailsPage";
import { DestinationPage } from "./exports/DestinationPage";
import { DestinationsPage } from "./exports/DestinationsPage";
import { ExportsPage } from "./exports/ExportsPage";
import { href, type Route } from "./lib/router";
import { useRoute } from "./lib/useRoute";
import { RunsPage } from "./runs/RunsPage";
import { useActiveRuns } from "./runs/useActiveRuns";
import { SegmentsPage } from "./segments/SegmentsPage";
import { SystemPage } from "./system/SystemPage";

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case "segments":
      return <SegmentsPage />;
    case "new":
      return <BuilderPage key={`new|${route.template ?? ""}`} template={route.template} />;
    case "edit":
      return <BuilderPage key={`edit|${route.key}`} segmentKey={route.key} />;
    case "segment":
      return <DetailsPage key={route.key} segmentKey={route.key} />;
    case "runs":
      return <RunsPage />;
    case "system":
      return <SystemPage />;
    case "destinations":
      return <DestinationsPage />;
    case "destination":
      return <DestinationPage key={route.key} destinationKey={route.key} />;
    case "exports":
      return <ExportsPage />;
    case "not-found":
      return (
        <div className="page">
          <h1>Not found</h1>
          <p>
            Nothing here. <a href={href({ page: "segments" })}>Go to segments</a>.
          </p>
        </div>
      );
  }
}

const section = (route: Route): string =>
  route.page === "runs"
    ? "runs"
    : route.page === "system"
      ? "system"
      : route.page === "exports" || route.page === "destinations" || route.page === "destination"
        ? "exports"
        : "segments";

export function App() {
  const route = useRoute();
  const active = useActiveRuns();
  const current = section(route);
  const link = (to: Route, label: string, id: string) => (
    <a href={href(to)} aria-current={current === id ? "page" : undefined}>
      {label}
    </a>
  );
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <span className="brand">Segmint</span>
        <nav aria-label="Main">
          {link({ page: "segments" }, "Segments", "segments")}
          {link({ page: "runs" }, "Runs", "runs")}
          {link({ page: "exports" }, "Exports", "exports")}
          {link({ page: "system" }, "System", "system")}
        </nav>
        <span className="spacer" />
        {active > 0 && (
          <a className="runs-indicator" href={href({ page: "runs" })}>
            <span className="pulse" aria-hidden="true" /> {active} run{active === 1 ? "" : "s"} in progress
          </a>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </>
  );
}
