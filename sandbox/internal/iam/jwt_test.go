package iam

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestJWTSignVerifyRoundTrip(t *testing.T) {
	signer := NewJWTSigner([]byte("secret"))
	now := time.Unix(1_700_000_000, 0)
	want := Claims{Subject: "389", UserID: 389, CompanyID: 1, Email: "operator@twin.local", IssuedAt: now.Unix(), ExpiresAt: now.Unix() + 60}
	token, err := signer.Sign(want)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(token, ".") != 2 {
		t.Fatalf("token %q is not a compact JWT", token)
	}
	got, err := signer.Verify(token, now)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got != want {
		t.Fatalf("claims = %+v, want %+v", got, want)
	}
}

func TestJWTExpiry(t *testing.T) {
	signer := NewJWTSigner([]byte("secret"))
	token, _ := signer.Sign(Claims{Subject: "1", UserID: 1, IssuedAt: 100, ExpiresAt: 160})
	if _, err := signer.Verify(token, time.Unix(159, 0)); err != nil {
		t.Fatalf("one second before exp: %v", err)
	}
	claims, err := signer.Verify(token, time.Unix(160, 0))
	if !errors.Is(err, ErrTokenExpired) {
		t.Fatalf("at exp: err = %v, want ErrTokenExpired", err)
	}
	if claims.UserID != 1 {
		t.Fatalf("an expired token must still name its user, got %+v", claims)
	}
}

func TestJWTRejectsForgeries(t *testing.T) {
	signer := NewJWTSigner([]byte("secret"))
	now := time.Unix(100, 0)
	token, _ := signer.Sign(Claims{Subject: "1", UserID: 1, ExpiresAt: 200})
	parts := strings.Split(token, ".")
	enc := base64.RawURLEncoding.EncodeToString
	otherSigner, _ := NewJWTSigner([]byte("other")).Sign(Claims{Subject: "1", UserID: 1, ExpiresAt: 200})
	// An expired token with a bad signature is invalid, not expired.
	expiredForged, _ := NewJWTSigner([]byte("other")).Sign(Claims{Subject: "1", UserID: 1, ExpiresAt: 50})

	cases := map[string]string{
		"empty":             "",
		"two parts":         parts[0] + "." + parts[1],
		"other secret":      otherSigner,
		"expired forged":    expiredForged,
		"tampered payload":  parts[0] + "." + enc([]byte(`{"sub":"2","id":2,"exp":200}`)) + "." + parts[2],
		"alg none":          enc([]byte(`{"alg":"none"}`)) + "." + parts[1] + ".",
		"signature garbage": parts[0] + "." + parts[1] + ".***",
	}
	for name, tok := range cases {
		if _, err := signer.Verify(tok, now); !errors.Is(err, ErrTokenInvalid) {
			t.Errorf("%s: err = %v, want ErrTokenInvalid", name, err)
		}
	}
}

func TestJWTRequiresExp(t *testing.T) {
	signer := NewJWTSigner([]byte("secret"))
	token, _ := signer.Sign(Claims{Subject: "1", UserID: 1})
	if _, err := signer.Verify(token, time.Unix(100, 0)); !errors.Is(err, ErrTokenInvalid) {
		t.Fatalf("token without exp: err = %v, want ErrTokenInvalid", err)
	}
}
