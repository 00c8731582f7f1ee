import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "react-querybuilder/dist/query-builder.css";
import { App } from "./App";
import { NoticeProvider } from "./components/Notices";
import { SegmentActionsHost } from "./segments/SegmentActionsHost";
import "./styles.css";

const client = new QueryClient({
  defaultOptions: { queries: { refetchOnWindowFocus: false, retry: 1 } },
});

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={client}>
        <NoticeProvider>
          <SegmentActionsHost>
            <App />
          </SegmentActionsHost>
        </NoticeProvider>
      </QueryClientProvider>
    </StrictMode>,
  );
}
