import { useState } from "react";
import { Page } from "../../components/Page";
import type { CreateEnrolmentKeyResponse } from "../../gen/wegweiser/v1/enrolment_pb";
import { CreatedKey } from "./CreatedKey";
import { CreateKeyForm } from "./CreateKeyForm";
import { KeyList } from "./KeyList";

/** EnrolmentPage creates enrolment keys, shows a new key's secret once, and lists keys. */
export function EnrolmentPage({ organisationId }: { organisationId: string }) {
  const [created, setCreated] = useState<CreateEnrolmentKeyResponse | null>(null);
  return (
    <Page
      title="Enrolment"
      subtitle="Keys that let the Wegweiser agent join an organisation. Install the agent with a key and the device appears here."
    >
      {created ? (
        <CreatedKey created={created} onDone={() => setCreated(null)} />
      ) : (
        <CreateKeyForm initialOrganisationId={organisationId} onCreated={setCreated} />
      )}
      <KeyList initialOrganisationId={organisationId} />
    </Page>
  );
}
