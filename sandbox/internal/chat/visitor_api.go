package chat

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"twin-panel/sandbox/internal/httpapi"
)

// VisitorAPI serves /__sandbox/visitor/*: a test's stand-in for the chat
// widget, driving the client's side of sessions so the operator gets the
// events of twin-api.md §7. It also serves the files messages attach.
type VisitorAPI struct {
	chats *Service
}

// NewVisitorAPI returns the visitor test API over chats.
func NewVisitorAPI(chats *Service) *VisitorAPI { return &VisitorAPI{chats: chats} }

// Register mounts the visitor endpoints on mux.
func (v *VisitorAPI) Register(mux *http.ServeMux) {
	for action, h := range map[string]http.HandlerFunc{
		"session": v.session, "message": v.message, "read": v.read, "typing": v.typing,
		"close": v.close, "online": v.online, "handover": v.handover,
	} {
		mux.Handle("/__sandbox/visitor/"+action, httpapi.Methods{http.MethodPost: h})
	}
	mux.Handle("/__sandbox/files", httpapi.Methods{http.MethodPost: v.upload})
	mux.Handle("/__sandbox/files/{id}", httpapi.Methods{http.MethodGet: v.download})
}

// optionalOperator reads an optional operator id given as a string or a
// number; absent is 0.
func optionalOperator(w http.ResponseWriter, id httpapi.ID) (int, bool) {
	if id == "" {
		return 0, true
	}
	n, err := strconv.Atoi(string(id))
	if err != nil || n <= 0 {
		httpapi.WriteError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"operatorId": "must be an operator id"})
		return 0, false
	}
	return n, true
}

// answer writes v, or err.
func answer(w http.ResponseWriter, v any, err error) {
	if err != nil {
		httpapi.WriteAPIError(w, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, v)
}

// session starts a session: {chatId?, clientId?, clientName?, name?,
// operatorId?, message?, attachments?, bot?} → the Session.
func (v *VisitorAPI) session(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ChatID      string     `json:"chatId"`
		ClientID    string     `json:"clientId"`
		ClientName  string     `json:"clientName"`
		Name        string     `json:"name"`
		OperatorID  httpapi.ID `json:"operatorId"`
		Message     string     `json:"message"`
		Attachments []string   `json:"attachments"`
		Bot         bool       `json:"bot"`
	}
	if !httpapi.ReadJSON(w, r, &req) {
		return
	}
	operatorID, ok := optionalOperator(w, req.OperatorID)
	if !ok {
		return
	}
	opt := StartOptions{
		ChatID: req.ChatID, ClientID: req.ClientID, ClientName: req.ClientName, Name: req.Name,
		OperatorID: operatorID, Message: req.Message, Attachments: req.Attachments,
	}
	if req.Bot {
		opt.BotID = SeedBotID
	}
	res, err := v.chats.Sessions.Start(opt)
	answer(w, res.Session, err)
}

// sessionRequest is the common body {sessionId}.
type sessionRequest struct {
	SessionID string `json:"sessionId"`
}

// decodeSessionRequest decodes a body naming a session into dst, whose
// embedded sessionRequest must carry the id.
func decodeSessionRequest(w http.ResponseWriter, r *http.Request, dst any, id *string) bool {
	if !httpapi.ReadJSON(w, r, dst) {
		return false
	}
	if *id == "" {
		httpapi.WriteError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"sessionId": "required"})
		return false
	}
	return true
}

// message sends the client's message {sessionId, body, attachments?,
// replyToMessageId?} → the Message.
func (v *VisitorAPI) message(w http.ResponseWriter, r *http.Request) {
	var req struct {
		sessionRequest
		MessageInput
	}
	if decodeSessionRequest(w, r, &req, &req.SessionID) {
		m, err := v.chats.Clients.Write(req.SessionID, req.MessageInput)
		answer(w, m, err)
	}
}

// read is the client reading a message: {sessionId, messageId}.
func (v *VisitorAPI) read(w http.ResponseWriter, r *http.Request) {
	var req struct {
		sessionRequest
		MessageID string `json:"messageId"`
	}
	if decodeSessionRequest(w, r, &req, &req.SessionID) {
		read, err := v.chats.Clients.Read(req.SessionID, req.MessageID)
		answer(w, read, err)
	}
}

func (v *VisitorAPI) typing(w http.ResponseWriter, r *http.Request) {
	var req sessionRequest
	if decodeSessionRequest(w, r, &req, &req.SessionID) {
		data, err := v.chats.Clients.Typing(req.SessionID)
		answer(w, data, err)
	}
}

func (v *VisitorAPI) close(w http.ResponseWriter, r *http.Request) {
	var req sessionRequest
	if decodeSessionRequest(w, r, &req, &req.SessionID) {
		s, err := v.chats.Clients.Close(req.SessionID)
		answer(w, s, err)
	}
}

// online is {sessionId, online: bool}.
func (v *VisitorAPI) online(w http.ResponseWriter, r *http.Request) {
	var req struct {
		sessionRequest
		Online *bool `json:"online"`
	}
	if !decodeSessionRequest(w, r, &req, &req.SessionID) {
		return
	}
	if req.Online == nil {
		httpapi.WriteError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"online": "required: true or false"})
		return
	}
	data, err := v.chats.Clients.SetOnline(req.SessionID, *req.Online)
	answer(w, data, err)
}

// handover is the bot passing the session on: {sessionId, operatorId?}.
func (v *VisitorAPI) handover(w http.ResponseWriter, r *http.Request) {
	var req struct {
		sessionRequest
		OperatorID httpapi.ID `json:"operatorId"`
	}
	if !decodeSessionRequest(w, r, &req, &req.SessionID) {
		return
	}
	operatorID, ok := optionalOperator(w, req.OperatorID)
	if !ok {
		return
	}
	s, err := v.chats.Sessions.Handover(req.SessionID, operatorID)
	answer(w, s, err)
}

// upload stores a file messages can attach: {name, contentType?, content}
// (content as text) → the Attachment, whose id goes into attachments.
func (v *VisitorAPI) upload(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name        string `json:"name"`
		ContentType string `json:"contentType"`
		Content     string `json:"content"`
	}
	if !httpapi.ReadJSON(w, r, &req) {
		return
	}
	if req.Name == "" {
		httpapi.WriteError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"name": "required"})
		return
	}
	if req.ContentType == "" {
		req.ContentType = "application/octet-stream"
	}
	httpapi.WriteJSON(w, http.StatusOK, v.chats.Files.Add(req.Name, req.ContentType, []byte(req.Content)))
}

// download serves a file's content; ?download=1 asks for an attachment.
func (v *VisitorAPI) download(w http.ResponseWriter, r *http.Request) {
	meta, content, ok := v.chats.Files.Get(r.PathValue("id"))
	if !ok {
		httpapi.WriteError(w, http.StatusNotFound, "File not found.", nil)
		return
	}
	w.Header().Set("Content-Type", meta.ContentType)
	w.Header().Set("Cache-Control", "no-store")
	if r.URL.Query().Get("download") != "" {
		name := strings.ReplaceAll(url.QueryEscape(meta.Name), "+", "%20")
		w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+name)
	}
	_, _ = w.Write(content)
}
