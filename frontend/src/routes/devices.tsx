import { DeviceBrowser } from "../features/devices/DeviceBrowser";

/** /devices */
export default function DevicesRoute() {
  return <DeviceBrowser />;
}
