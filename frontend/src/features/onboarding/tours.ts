/** TourStep points at one element of a page (its data-tour attribute) and says what it is for. */
export interface TourStep {
  /** The data-tour value of the element to highlight; a missing element centres the step. */
  target: string;
  title: string;
  body: string;
}

const replay: TourStep = {
  target: "tour-button",
  title: "Take the tour again",
  body: "This button replays the tour whenever you like.",
};

/** TOURS are the guided tours of the main pages, by tour id. */
export const TOURS: Record<string, TourStep[]> = {
  overview: [
    { target: "nav", title: "Find your way", body: "Organisations are your customers; Devices lists every machine that runs the agent; Checks explains what is measured." },
    { target: "checklist", title: "Get started", body: "The checklist ticks itself as you go: add a customer, create a key, install the agent, invite a colleague." },
    { target: "tenant-health", title: "Health at a glance", body: "The score of all your customers together, its trend and the devices that pull it down." },
    { target: "totals", title: "What you look after", body: "Organisations, groups and devices; each number opens its list." },
    replay,
  ],
  devices: [
    { target: "device-filters", title: "Narrow the list", body: "Filter by customer, band, failing check or software; the filters stay in the address, so you can share a view." },
    { target: "device-results", title: "Every device with its score", body: "Sort by score to see the worst first; the top reason says what costs the most points." },
    replay,
  ],
  device: [
    { target: "device-triage", title: "What to fix first", body: "The device's score, its band and the findings ordered by what they cost." },
    { target: "page-actions", title: "Ask about this device", body: "The assistant answers from the device's own data and cites it." },
    { target: "device-inventory", title: "Everything the agent reported", body: "Hardware, storage, security, software, services and event logs, with the facts, tags and location." },
    replay,
  ],
  organisation: [
    { target: "page-actions", title: "Work with this customer", body: "Enrol its devices, open the discovery report, its software or its policy." },
    { target: "organisation-health", title: "The customer's health", body: "Its score and trend, and what changed; recompute it after a policy change." },
    { target: "organisation-devices", title: "Its devices", body: "Every device of this organisation with its score; open one to see why." },
    replay,
  ],
};

/** AUTOPLAY_KEY turns the automatic first play of tours off in this browser when set to "off" (tests and screenshots). */
export const AUTOPLAY_KEY = "wegweiser.tours";

/** autoplayAllowed reports whether tours may start by themselves: not when "?tours=off" is in the address (remembered) or the browser has it stored. */
export function autoplayAllowed(): boolean {
  try {
    if (new URLSearchParams(window.location.search).get("tours") === "off") {
      localStorage.setItem(AUTOPLAY_KEY, "off");
    }
    return localStorage.getItem(AUTOPLAY_KEY) !== "off";
  } catch {
    return true;
  }
}
