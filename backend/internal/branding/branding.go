// Package branding stores how a tenant (the MSP) presents the dashboard and
// the customer portal to its members and customers: a display name, a logo
// and an accent colour. A logo is accepted only when its bytes decode as a
// PNG, JPEG or WebP image of sane dimensions; its media type is taken from
// the bytes, never from the client, and SVG (which can carry script) is
// refused.
package branding

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // registers the JPEG decoder for image.DecodeConfig
	_ "image/png"  // registers the PNG decoder for image.DecodeConfig
	"regexp"
	"strings"
	"time"

	_ "golang.org/x/image/webp" // registers the WebP decoder for image.DecodeConfig

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/tenantbranding"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// MaxLogoBytes is the largest logo accepted (256 KiB).
const MaxLogoBytes = 256 << 10

// MaxLogoSide is the largest width or height of a logo in pixels; a small
// file that claims a huge canvas is refused before any browser decodes it.
const MaxLogoSide = 4096

// mediaTypes maps image.DecodeConfig's format names to the media types
// stored and served.
var mediaTypes = map[string]string{"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}

var colourRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// Branding is a tenant's branding. The zero value is the default: the
// tenant's name, no logo and the default colour.
type Branding struct {
	DisplayName   string
	Logo          []byte
	LogoMediaType string
	AccentColor   string
}

// Input is a change of branding. An empty Logo removes the logo unless
// KeepLogo is set.
type Input struct {
	DisplayName string
	Logo        []byte
	KeepLogo    bool
	AccentColor string
}

// Of converts a stored row; nil is the default branding.
func Of(b *ent.TenantBranding) Branding {
	if b == nil {
		return Branding{}
	}
	out := Branding{DisplayName: b.DisplayName, LogoMediaType: b.LogoMediaType, AccentColor: b.AccentColor}
	if b.Logo != nil {
		out.Logo = *b.Logo
	}
	return out
}

// LogoMediaType checks that logo is a PNG, JPEG or WebP image of at most
// MaxLogoBytes and MaxLogoSide pixels a side, by decoding its header, and
// returns its media type. field names the request field in errors.
func LogoMediaType(field string, logo []byte) (string, error) {
	if len(logo) > MaxLogoBytes {
		return "", apperr.Invalid(field, "must be at most %d KiB", MaxLogoBytes>>10)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(logo))
	if err != nil {
		return "", apperr.Invalid(field, "must be a PNG, JPEG or WebP image")
	}
	mt, ok := mediaTypes[format]
	if !ok {
		return "", apperr.Invalid(field, "must be a PNG, JPEG or WebP image")
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxLogoSide || cfg.Height > MaxLogoSide {
		return "", apperr.Invalid(field, "must be at most %d pixels wide and high", MaxLogoSide)
	}
	// The header alone can be followed by garbage: decode the whole image
	// so what is stored is what browsers will show.
	if _, _, err := image.Decode(bytes.NewReader(logo)); err != nil {
		return "", apperr.Invalid(field, "must be a PNG, JPEG or WebP image")
	}
	return mt, nil
}

// AccentColor checks a "#rrggbb" colour (empty: the default) and returns it
// in lower case.
func AccentColor(field, c string) (string, error) {
	c = strings.TrimSpace(c)
	if c == "" {
		return "", nil
	}
	if !colourRE.MatchString(c) {
		return "", apperr.Invalid(field, "must be a colour as #rrggbb")
	}
	return strings.ToLower(c), nil
}

// DisplayName checks a display name (empty: the tenant's name) by the rules
// of validate.Name.
func DisplayName(field, s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	return validate.Name(field, s)
}

// Service reads and changes the viewer's tenant's branding.
type Service struct {
	st *store.Store
}

// NewService returns a branding service.
func NewService(st *store.Store) *Service { return &Service{st: st} }

// Get returns the viewer's tenant's branding.
func (s *Service) Get(ctx context.Context) (Branding, error) {
	b, err := s.st.Ent.TenantBranding.Query().Only(ctx)
	if ent.IsNotFound(err) {
		return Branding{}, nil
	}
	if err != nil {
		return Branding{}, fmt.Errorf("get branding: %w", err)
	}
	return Of(b), nil
}

// Update validates in and stores it as the viewer's tenant's branding,
// with an audit event, and returns the branding in effect.
func (s *Service) Update(ctx context.Context, in Input) (Branding, error) {
	name, err := DisplayName("branding.display_name", in.DisplayName)
	if err != nil {
		return Branding{}, err
	}
	colour, err := AccentColor("branding.accent_color", in.AccentColor)
	if err != nil {
		return Branding{}, err
	}
	var mt string
	if len(in.Logo) > 0 {
		if mt, err = LogoMediaType("branding.logo", in.Logo); err != nil {
			return Branding{}, err
		}
	}
	v := viewer.FromContext(ctx)
	var out *ent.TenantBranding
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		cur, err := tx.TenantBranding.Query().Where(tenantbranding.TenantID(v.TenantID)).Only(ctx)
		if err != nil && !ent.IsNotFound(err) {
			return fmt.Errorf("read branding: %w", err)
		}
		logo, media := in.Logo, mt
		logoChange := "replaced"
		switch {
		case len(in.Logo) > 0:
		case in.KeepLogo && cur != nil && cur.Logo != nil:
			logo, media, logoChange = *cur.Logo, cur.LogoMediaType, "kept"
		case in.KeepLogo:
			logo, media, logoChange = nil, "", "none"
		default:
			logo, media, logoChange = nil, "", "removed"
		}
		now := time.Now().UTC()
		if cur == nil {
			out, err = tx.TenantBranding.Create().SetTenantID(v.TenantID).SetDisplayName(name).
				SetLogo(logo).SetLogoMediaType(media).SetAccentColor(colour).SetUpdatedAt(now).Save(ctx)
		} else {
			u := cur.Update().SetDisplayName(name).SetLogoMediaType(media).SetAccentColor(colour).SetUpdatedAt(now)
			if logo == nil {
				u.ClearLogo()
			} else {
				u.SetLogo(logo)
			}
			out, err = u.Save(ctx)
		}
		if err != nil {
			return fmt.Errorf("store branding: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{
			Action: audit.BrandingUpdate, TargetKind: "tenant", TargetID: v.TenantID, TargetName: name,
			Detail: fmt.Sprintf("display name %q, accent colour %q, logo %s (%s, %d bytes)", name, colour, logoChange, media, len(logo)),
		})
	})
	if ent.IsConstraintError(err) {
		// Two first changes at once: the unique tenant_id index let one in.
		return Branding{}, apperr.Unavailable(err, "the branding was changed at the same time; try again")
	}
	if err != nil {
		return Branding{}, err
	}
	return Of(out), nil
}
