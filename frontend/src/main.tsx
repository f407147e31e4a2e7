import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app/App";
import { createQueryClient } from "./app/providers";
import { createTokenStore } from "./features/auth/tokens";
import { createAppTransport } from "./features/auth/transport";
import "./styles.css";

const store = createTokenStore();
const queryClient = createQueryClient();
// When a refresh fails the interceptor clears the tokens; the signed-in
// layout then sends the user to /login.
const transport = createAppTransport({ baseUrl: window.location.origin, store });

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <App transport={transport} store={store} queryClient={queryClient} />
  </StrictMode>,
);
