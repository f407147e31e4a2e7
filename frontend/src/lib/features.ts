/**
 * features switches parts of the dashboard that wait for the server. The AI
 * narrative does not exist yet, so its guidance field (policy page, policy in
 * effect) stays hidden: people would write text nothing reads. Tests switch it
 * on to keep the hidden parts working.
 */
export const features = {
  aiNarrative: false,
};
