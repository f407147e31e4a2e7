import type { Tenant, TenantBranding } from "../../gen/wegweiser/v1/auth_pb";

/** MAX_LOGO_BYTES is the largest logo the server accepts (256 KiB). */
export const MAX_LOGO_BYTES = 256 * 1024;

/** LOGO_TYPES are the logo formats the server accepts (never SVG: it can carry script). */
export const LOGO_TYPES = ["image/png", "image/jpeg", "image/webp"] as const;

const HEX = /^#[0-9a-f]{6}$/i;

/** brandName is what the dashboard calls the tenant: its display name, else its name. */
export function brandName(tenant: Tenant | undefined): string {
  return tenant?.branding?.displayName || tenant?.name || "";
}

/** logoSrc is a data: URL of the tenant's logo, or undefined without one (or with a type the server never stores). */
export function logoSrc(branding: TenantBranding | undefined): string | undefined {
  if (!branding?.logo.length) return undefined;
  if (!(LOGO_TYPES as readonly string[]).includes(branding.logoMediaType)) return undefined;
  let bin = "";
  for (const b of branding.logo) bin += String.fromCharCode(b);
  return `data:${branding.logoMediaType};base64,${btoa(bin)}`;
}

/** checkLogo says what is wrong with a file chosen as the logo, or null when the server will look at it. */
export function checkLogo(file: { size: number; type: string }): string | null {
  if (!(LOGO_TYPES as readonly string[]).includes(file.type)) return "Choose a PNG, JPEG or WebP image.";
  if (file.size > MAX_LOGO_BYTES) return "The logo must be at most 256 KiB.";
  return null;
}

function channels(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function toHex([r, g, b]: [number, number, number]): string {
  return `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, "0")).join("")}`;
}

/** luminance is the WCAG relative luminance of a "#rrggbb" colour. */
export function luminance(hex: string): number {
  const [r, g, b] = channels(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** contrast is the WCAG contrast ratio of two "#rrggbb" colours. */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

function mix(hex: string, other: string, weight: number): string {
  const a = channels(hex);
  const b = channels(other);
  return toHex([0, 1, 2].map((i) => a[i]! * (1 - weight) + b[i]! * weight) as [number, number, number]);
}

/**
 * accentPalette turns a brand colour into the dashboard's accent variables,
 * darkened until white text on it (buttons) and it as text on white (links)
 * reach WCAG AA's 4.5:1. Undefined for an empty or malformed colour: the
 * default palette stays.
 */
export function accentPalette(color: string | undefined): Record<string, string> | undefined {
  if (!color || !HEX.test(color)) return undefined;
  let accent = color.toLowerCase();
  for (let i = 0; i < 40 && contrast(accent, "#ffffff") < 4.5; i++) accent = mix(accent, "#000000", 0.08);
  const hover = mix(accent, "#000000", 0.15);
  const [r, g, b] = channels(accent);
  return {
    "--accent": accent,
    "--accent-hover": hover,
    "--accent-soft": mix(accent, "#ffffff", 0.9),
    "--focus-ring": accent,
    "--focus": `0 0 0 3px rgb(${r} ${g} ${b} / 35%)`,
    "--brand-color": color.toLowerCase(),
  };
}

/** applyAccent sets the palette of a brand colour on the document root, or restores the default. */
export function applyAccent(color: string | undefined, root: HTMLElement = document.documentElement): void {
  const palette = accentPalette(color);
  for (const name of ["--accent", "--accent-hover", "--accent-soft", "--focus-ring", "--focus", "--brand-color"]) {
    root.style.removeProperty(name);
  }
  if (!palette) return;
  for (const [name, value] of Object.entries(palette)) root.style.setProperty(name, value);
}
