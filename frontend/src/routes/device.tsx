import { useParams } from "react-router";
import { DeviceDetail } from "../features/devices/DeviceDetail";

/** /devices/:id */
export default function DeviceRoute() {
  const { id = "" } = useParams();
  return <DeviceDetail key={id} id={id} />;
}
