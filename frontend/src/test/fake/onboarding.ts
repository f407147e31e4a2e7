import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import {
  ChecklistStepId,
  OnboardingService,
  type GetChecklistResponse,
} from "../../gen/wegweiser/v1/onboarding_pb";
import type { FakeBackend } from "../fake-backend";
import { withHealth } from "./device";

/** The server's steps (backend/internal/onboarding), in order. */
const STEPS = [
  { id: ChecklistStepId.CREATE_ORGANISATION, title: "Create your first organisation", actionPath: "/organisations", optional: false,
    description: "Organisations are your customers; devices, groups and reports belong to one." },
  { id: ChecklistStepId.CREATE_ENROLMENT_KEY, title: "Create an enrolment key", actionPath: "/enrolment", optional: false,
    description: "A key lets the agent join an organisation; it is part of the install command." },
  { id: ChecklistStepId.FIRST_DEVICE, title: "Install the agent on a device", actionPath: "/enrolment", optional: false,
    description: "Run the install command on a customer's machine; it reports and gets its health score within a minute." },
  { id: ChecklistStepId.INVITE_COLLEAGUE, title: "Invite a colleague", actionPath: "/users", optional: false,
    description: "Technicians, admins or your customer's contact, each with the role they need." },
  { id: ChecklistStepId.SET_UP_ALERTS, title: "Set up alerts", actionPath: "/webhooks", optional: false,
    description: "A webhook passes health alerts on to your ticketing or chat tool." },
  { id: ChecklistStepId.CONNECT_AI, title: "Connect an AI endpoint", actionPath: "/settings/ai", optional: true,
    description: "Optional: the built-in assistant answers without one; your own model writes richer narratives." },
];

const TOUR_ID = /^[a-z0-9-]{1,64}$/;

/** FakeOnboarding is the tenant's checklist state and the caller's seen tours. */
export class FakeOnboarding {
  /** When each step was first seen done, by step id. */
  doneTimes = new Map<ChecklistStepId, Date>();
  dismissed = false;
  /** Tours the caller has seen, oldest first (at most 50, as the server keeps). */
  seenTours: string[] = [];
}

/** checklist derives the checklist from the fake's data, as the server does, recording first done times. */
function checklist(b: FakeBackend): Omit<GetChecklistResponse, "$typeName" | "$unknown"> {
  const first = b.devices.find((d) => b.deviceHealth.get(d.id)?.scored);
  const live: Record<number, boolean> = {
    [ChecklistStepId.CREATE_ORGANISATION]: b.organisations.length > 0,
    [ChecklistStepId.CREATE_ENROLMENT_KEY]: b.enrolmentKeys.length > 0,
    [ChecklistStepId.FIRST_DEVICE]: first !== undefined,
    [ChecklistStepId.INVITE_COLLEAGUE]: b.users.length > 1,
    [ChecklistStepId.SET_UP_ALERTS]: b.webhooks.length > 0,
    [ChecklistStepId.CONNECT_AI]: b.ai.settings.enabled,
  };
  const o = b.onboarding;
  const steps = STEPS.map((s) => {
    if (live[s.id] && !o.doneTimes.has(s.id)) o.doneTimes.set(s.id, new Date());
    const at = o.doneTimes.get(s.id);
    return {
      $typeName: "wegweiser.v1.ChecklistStep" as const,
      ...s,
      done: at !== undefined,
      doneTime: at ? timestampFromDate(at) : undefined,
    };
  });
  return {
    steps,
    complete: steps.every((s) => s.done || s.optional),
    dismissed: o.dismissed,
    firstDevice: first ? withHealth(b, first) : undefined,
  };
}

/** onboardingService answers OnboardingService for the fake backend b. */
export function onboardingService(b: FakeBackend): Partial<ServiceImpl<typeof OnboardingService>> {
  return {
    getChecklist: (req, ctx) => {
      b.enter("GetChecklist", req, ctx);
      return checklist(b);
    },
    dismissChecklist: (req, ctx) => {
      b.enter("DismissChecklist", req, ctx);
      b.need("onboarding.manage");
      b.onboarding.dismissed = req.dismissed;
      return { checklist: checklist(b) };
    },
    listSeenTours: (req, ctx) => {
      b.enter("ListSeenTours", req, ctx);
      return { tourIds: [...b.onboarding.seenTours] };
    },
    markTourSeen: (req, ctx) => {
      b.enter("MarkTourSeen", req, ctx);
      if (!TOUR_ID.test(req.tourId)) {
        throw new ConnectError("tour_id: must be 1 to 64 characters of a-z, 0-9 and -", Code.InvalidArgument);
      }
      const o = b.onboarding;
      o.seenTours = o.seenTours.filter((t) => t !== req.tourId);
      if (req.seen) o.seenTours = [...o.seenTours, req.tourId].slice(-50);
      return {};
    },
  };
}
