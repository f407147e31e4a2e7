import { Logo } from "../auth/AuthCard";
import type { Tenant } from "../../gen/wegweiser/v1/auth_pb";
import { brandName, logoSrc } from "./brand";

/** BrandMark is the sidebar's header: the tenant's logo and display name, or Wegweiser's mark and the tenant's name. */
export function BrandMark({ tenant, portal }: { tenant: Tenant | undefined; portal: boolean }) {
  const src = logoSrc(tenant?.branding);
  const name = brandName(tenant);
  return (
    <div className="brand-mark">
      <div className="brand">
        {src ? <img className="brand-logo" src={src} alt={`${name} logo`} /> : <Logo />}
        <span className="brand-name" title={name}>
          {name || "Wegweiser"}
        </span>
      </div>
      <div className="tenant-name">{portal ? "Customer portal" : "Wegweiser"}</div>
    </div>
  );
}
