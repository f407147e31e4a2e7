import { useParams } from "react-router";
import { GroupDetail } from "../features/groups/GroupDetail";

/** /groups/:id */
export default function GroupRoute() {
  const { id = "" } = useParams();
  return <GroupDetail key={id} id={id} />;
}
