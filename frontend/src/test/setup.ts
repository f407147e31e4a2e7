import { cleanup, configure } from "@testing-library/react";
import { afterEach, beforeEach } from "vitest";

// The first test of a file also waits for its lazy route's modules to be
// transformed; under a loaded machine that alone can take over a second.
configure({ asyncUtilTimeout: 4000 });

// vitest runs without globals, so Testing Library cannot register its own cleanup.
afterEach(() => {
  cleanup();
  localStorage.clear();
  document.title = "";
});

// Guided tours do not play by themselves in tests (features/onboarding/tours.ts);
// the tour tests turn this off again.
beforeEach(() => {
  localStorage.setItem("wegweiser.tours", "off");
});
