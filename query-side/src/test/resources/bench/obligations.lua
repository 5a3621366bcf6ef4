-- wrk script: elicitation work. Each connection starts a session, then adds obligations to it
-- (keys o1, o2, ...) until it holds PER_SESSION of them, then starts the next session: every
-- request is one command on a session aggregate that grows as a real conversation's does.
-- Run with one connection per wrk thread (-t N -c N): the session in flight lives in the thread.
-- Environment: TOKEN, PROJECT, PER_SESSION (default 50).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("TOKEN")
if token then wrk.headers["Authorization"] = "Bearer " .. token end
local project = os.getenv("PROJECT") or "00000000-0000-0000-0000-000000000001"
local per_session = tonumber(os.getenv("PER_SESSION") or "50")
local start_body = '{"projectId":"' .. project .. '"}'

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

-- Per thread: the session in flight and how many obligations it holds.
session_id = nil
added = 0
obligations = 0
refused = 0

function request()
  if session_id == nil then
    return wrk.format("POST", "/api/v1/sessions", nil, start_body)
  end
  local body = '{"key":"o' .. (added + 1) .. '","description":"bench obligation ' .. (added + 1)
      .. '","category":"bench","maxAttempts":3}'
  return wrk.format("POST", "/api/v1/sessions/" .. session_id .. "/obligations", nil, body)
end

function response(status, headers, body)
  if status >= 300 then
    refused = refused + 1
    session_id = nil
    return
  end
  if session_id == nil then
    session_id = string.match(body or "", '"id"%s*:%s*"([^"]+)"')
    added = 0
    return
  end
  added = added + 1
  obligations = obligations + 1
  if added >= per_session then
    session_id = nil
  end
end

function done(summary, latency, requests)
  local total, refusals = 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("obligations")
    refusals = refusals + thread:get("refused")
  end
  io.write(string.format("obligations added: %d\n", total))
  io.write(string.format("steps refused: %d\n", refusals))
end
