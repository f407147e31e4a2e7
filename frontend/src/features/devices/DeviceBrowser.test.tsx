import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { DeviceOrder, Platform } from "../../gen/wegweiser/v1/device_pb";
import { FakeBackend } from "../../test/fake-backend";
import { renderApp } from "../../test/render";
import { DEVICE_PAGE_SIZE } from "./hooks";

function hostnames() {
  const table = screen.getByRole("region", { name: "Results" });
  return within(table)
    .getAllByRole("row")
    .slice(1)
    // The first cell ticks the row for bulk actions; the host name links to the device.
    .map((r) => within(r).getAllByRole("link")[0]?.textContent);
}

describe("devices page", () => {
  it("filters by platform and sorts by last seen, keeping filters in the URL", async () => {
    const backend = new FakeBackend();
    backend.addOrganisation("Contoso");
    const now = Date.now();
    backend.addDevice("win-old", { platform: Platform.WINDOWS, lastSeenTime: timestampFromDate(new Date(now - 3 * 3600_000)) });
    backend.addDevice("linux-srv", { platform: Platform.LINUX, lastSeenTime: timestampFromDate(new Date(now - 120_000)) });
    backend.addDevice("win-new", { platform: Platform.WINDOWS, lastSeenTime: timestampFromDate(new Date(now - 60_000)) });
    const { router } = renderApp("/devices", { backend });

    await screen.findByRole("link", { name: "win-old" });
    expect(hostnames()).toEqual(["linux-srv", "win-new", "win-old"]);

    fireEvent.change(screen.getByRole("combobox", { name: "Platform" }), { target: { value: "windows" } });
    fireEvent.change(screen.getByLabelText("Sort by"), { target: { value: "last_seen" } });
    fireEvent.change(screen.getByLabelText("Order"), { target: { value: "desc" } });

    await waitFor(() => expect(hostnames()).toEqual(["win-new", "win-old"]));
    expect(backend.callsOf("ListDevices").at(-1)?.request).toMatchObject({
      platform: Platform.WINDOWS,
      orderBy: DeviceOrder.LAST_SEEN,
      descending: true,
    });
    expect(router.state.location.search).toBe("?platform=windows&sort=last_seen&dir=desc");
    // Relative time for the last report.
    expect(screen.getByText("1 minute ago")).toBeTruthy();
    expect(screen.getByText("3 hours ago")).toBeTruthy();
  });

  it("loads more with the next page token", async () => {
    const backend = new FakeBackend();
    for (let i = 0; i < DEVICE_PAGE_SIZE + 5; i++) backend.addDevice(`host-${String(i).padStart(3, "0")}`);
    renderApp("/devices", { backend });

    await screen.findByRole("link", { name: "host-000" });
    expect(hostnames()).toHaveLength(DEVICE_PAGE_SIZE);
    fireEvent.click(screen.getByRole("button", { name: "Load more" }));

    await screen.findByRole("link", { name: `host-0${DEVICE_PAGE_SIZE + 4}` });
    expect(hostnames()).toHaveLength(DEVICE_PAGE_SIZE + 5);
    expect(backend.callsOf("ListDevices").at(-1)?.request).toMatchObject({ pageToken: String(DEVICE_PAGE_SIZE) });
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();
  });

  it("searches host names from the search box", async () => {
    const backend = new FakeBackend();
    backend.addDevice("alpha");
    backend.addDevice("beta");
    renderApp("/devices", { backend });

    await screen.findByRole("link", { name: "beta" });
    fireEvent.change(screen.getByLabelText("Search hostname"), { target: { value: "alp" } });

    await waitFor(() => expect(hostnames()).toEqual(["alpha"]));
    expect(backend.callsOf("ListDevices").at(-1)?.request).toMatchObject({ query: "alp" });
  });
});
