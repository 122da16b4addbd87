package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Errors returned by JWTSigner.Verify. ErrTokenExpired is only returned for a
// token whose signature is valid, so callers can tell "refresh me" from "forged".
var (
	ErrTokenInvalid = errors.New("invalid token")
	ErrTokenExpired = errors.New("token is expired")
)

// Claims is the payload of an IAM access token.
type Claims struct {
	Subject   string `json:"sub"`
	UserID    int    `json:"id"`
	CompanyID int    `json:"companyId"`
	Email     string `json:"email"`
	IssuedAt  int64  `json:"iat"`
	ExpiresAt int64  `json:"exp"`
	// IssuedAtNs is a private claim: the issue instant in Unix nanoseconds,
	// so the token-expiry switch can tell tokens of the same second apart.
	IssuedAtNs int64 `json:"iatNs,omitempty"`
}

// JWTSigner issues and checks HS256 JSON Web Tokens. The format is small
// enough that a dependency would add more than it saves.
type JWTSigner struct {
	secret []byte
}

// NewJWTSigner returns a signer using secret as the HMAC key.
func NewJWTSigner(secret []byte) *JWTSigner {
	return &JWTSigner{secret: bytes.Clone(secret)}
}

// jwtHeader is the only header this signer produces or accepts.
const jwtHeader = `{"alg":"HS256","typ":"JWT"}`

var b64 = base64.RawURLEncoding

// Sign returns the compact serialisation of claims.
func (s *JWTSigner) Sign(claims Claims) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signingInput := b64.EncodeToString([]byte(jwtHeader)) + "." + b64.EncodeToString(payload)
	return signingInput + "." + b64.EncodeToString(s.mac(signingInput)), nil
}

// Verify checks the signature and then the expiry. It returns the claims
// together with ErrTokenExpired when only the expiry fails, because a refresh
// still needs to know whose token it was.
func (s *JWTSigner) Verify(token string, now time.Time) (Claims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return Claims{}, ErrTokenInvalid
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, s.mac(parts[0]+"."+parts[1])) {
		return Claims{}, ErrTokenInvalid
	}
	rawHeader, err := b64.DecodeString(parts[0])
	if err != nil {
		return Claims{}, ErrTokenInvalid
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(rawHeader, &header) != nil || header.Alg != "HS256" {
		return Claims{}, ErrTokenInvalid
	}
	rawPayload, err := b64.DecodeString(parts[1])
	if err != nil {
		return Claims{}, ErrTokenInvalid
	}
	var claims Claims
	if json.Unmarshal(rawPayload, &claims) != nil || claims.ExpiresAt == 0 || claims.Subject == "" {
		return Claims{}, ErrTokenInvalid
	}
	if now.Unix() >= claims.ExpiresAt {
		return claims, ErrTokenExpired
	}
	return claims, nil
}

func (s *JWTSigner) mac(signingInput string) []byte {
	h := hmac.New(sha256.New, s.secret)
	h.Write([]byte(signingInput))
	return h.Sum(nil)
}
