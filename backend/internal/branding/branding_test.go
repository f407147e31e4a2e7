package branding

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
)

func encoded(t *testing.T, w, h int, enc func(*bytes.Buffer, image.Image) error) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{R: 255, A: 255})
	var b bytes.Buffer
	if err := enc(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pngOf(b *bytes.Buffer, img image.Image) error  { return png.Encode(b, img) }
func jpegOf(b *bytes.Buffer, img image.Image) error { return jpeg.Encode(b, img, nil) }

// A minimal lossless WebP (1×1), as cwebp writes it.
var webp1x1 = []byte{
	'R', 'I', 'F', 'F', 0x1a, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'L',
	0x0d, 0, 0, 0, 0x2f, 0, 0, 0, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0,
}

func TestLogoMediaType(t *testing.T) {
	p := encoded(t, 16, 8, pngOf)
	for name, c := range map[string]struct {
		logo []byte
		want string
	}{
		"png":                   {p, "image/png"},
		"jpeg":                  {encoded(t, 16, 8, jpegOf), "image/jpeg"},
		"webp":                  {webp1x1, "image/webp"},
		"svg with script":       {[]byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>`), ""},
		"png header, garbage":   {append(append([]byte{}, p[:40]...), bytes.Repeat([]byte{0xff}, 100)...), ""},
		"truncated png":         {p[:len(p)-20], ""},
		"gif":                   {[]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), ""},
		"300 KiB":               {append(append([]byte{}, p...), make([]byte, 300<<10)...), ""},
		"huge canvas":           {encoded(t, MaxLogoSide+1, 1, pngOf), ""},
		"empty after the magic": {[]byte("\x89PNG\r\n\x1a\n"), ""},
	} {
		got, err := LogoMediaType("branding.logo", c.logo)
		if c.want != "" {
			if err != nil || got != c.want {
				t.Errorf("%s: %q, %v; want %s", name, got, err, c.want)
			}
			continue
		}
		if !apperr.Is(err, apperr.KindInvalid) || !strings.HasPrefix(err.Error(), "branding.logo: ") {
			t.Errorf("%s: %q, %v; want invalid_argument on branding.logo", name, got, err)
		}
	}
}

func TestAccentColorAndName(t *testing.T) {
	for in, want := range map[string]string{"": "", " #A1B2C3 ": "#a1b2c3", "#000000": "#000000"} {
		if got, err := AccentColor("c", in); err != nil || got != want {
			t.Errorf("AccentColor(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"red", "#abc", "#abcdefa", "a1b2c3", "#00000g", "#000000;x:y", "#00000\n"} {
		if _, err := AccentColor("c", bad); !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("AccentColor(%q): %v, want invalid", bad, err)
		}
	}
	if got, err := DisplayName("n", "   "); err != nil || got != "" {
		t.Errorf("blank name: %q, %v", got, err)
	}
	if _, err := DisplayName("n", strings.Repeat("é", 201)); !apperr.Is(err, apperr.KindInvalid) {
		t.Errorf("201 characters: %v", err)
	}
	if got, _ := DisplayName("n", strings.Repeat("é", 200)); got == "" {
		t.Error("200 characters refused")
	}
}
