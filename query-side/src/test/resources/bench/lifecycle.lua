-- wrk script: task lifecycles. Each connection creates a task, then moves it through STEPS
-- (comma-separated, e.g. "assign,start,complete"), then creates the next. Run with one connection
-- per wrk thread (-t N -c N): response() does not say which request it answers, so the state of
-- one lifecycle lives in the thread. A refused step (non-2xx) abandons that task.
-- Environment: BASE_PATH (e.g. /api/v1/tasks or /tasks), STEPS, TOKEN, PROJECT, CREATE_BODY (a
-- task's unless given; PROJECT_ID in it stands for the project).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("TOKEN")
if token then wrk.headers["Authorization"] = "Bearer " .. token end
local base = os.getenv("BASE_PATH") or "/tasks"
local project = os.getenv("PROJECT") or "00000000-0000-0000-0000-000000000001"
local create_body = string.gsub(os.getenv("CREATE_BODY")
    or '{"projectId":"PROJECT_ID","type":"PROVIDE","title":"bench lifecycle"}', "PROJECT_ID", project)
local bodies = {
  assign = '{"assigneeType":"agent","assigneeId":"bench-agent"}',
  start = '{}',
  complete = '{}',
}
local steps = {}
for step in string.gmatch(os.getenv("STEPS") or "start,complete", "[^,]+") do
  table.insert(steps, step)
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

-- Per thread (each has its own Lua state): the task in flight and the step it is at (0 = create).
task_id = nil
step = 0
completed = 0
refused = 0

function request()
  if task_id == nil then
    step = 0
    return wrk.format("POST", base, nil, create_body)
  end
  local name = steps[step]
  return wrk.format("POST", base .. "/" .. task_id .. "/" .. name, nil, bodies[name] or "{}")
end

function response(status, headers, body)
  if status >= 300 then
    refused = refused + 1
    task_id = nil
    return
  end
  if step == 0 then
    task_id = string.match(body or "", '"id"%s*:%s*"([^"]+)"')
    if task_id == nil then return end
  end
  step = step + 1
  if step > #steps then
    completed = completed + 1
    task_id = nil
  end
end

function done(summary, latency, requests)
  local total, refusals = 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("completed")
    refusals = refusals + thread:get("refused")
  end
  io.write(string.format("lifecycles completed: %d\n", total))
  io.write(string.format("steps refused: %d\n", refusals))
end
