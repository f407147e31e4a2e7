/** safeNext keeps a ?next= redirect inside the SPA (no other origins, no protocol-relative URLs). */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  return next;
}
