import { useState } from "react";
import { Page } from "../../components/Page";
import type { CreateEnrolmentKeyResponse } from "../../gen/wegweiser/v1/enrolment_pb";
import { AgentDownloads, UrlWarnings } from "./AgentDownloads";
import { CreatedKey } from "./CreatedKey";
import { CreateKeyForm } from "./CreateKeyForm";
import { KeyList } from "./KeyList";

/**
 * EnrolmentPage creates enrolment keys, shows a new key's secret and install
 * commands once, lists keys and the agent downloads, and warns when
 * endpoints cannot reach the server's public URL.
 */
export function EnrolmentPage({ organisationId }: { organisationId: string }) {
  const [created, setCreated] = useState<CreateEnrolmentKeyResponse | null>(null);
  return (
    <Page
      title="Enrolment"
      subtitle="Keys that let the Wegweiser agent join an organisation. Install the agent with a key and the device appears here."
    >
      <UrlWarnings />
      {created ? (
        <CreatedKey created={created} onDone={() => setCreated(null)} />
      ) : (
        <CreateKeyForm initialOrganisationId={organisationId} onCreated={setCreated} />
      )}
      <KeyList initialOrganisationId={organisationId} />
      <AgentDownloads />
    </Page>
  );
}
