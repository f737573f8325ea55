"""Words by which a text names a program, shared by the rules that ask whether it does (version 50).

Three lists had answered that question apart and drifted: ``algorithmic.PROGRAM_WORDS`` (a request whose algorithmic
cues count), ``output_format.PROGRAM_SENTENCE_WORDS`` (a format phrase that is a program's output) and the languages of
``written_code`` (a thing written "in Python"). One had "server" and "express", another "return" and "class": a review
(session 38) found "Rate each server at the restaurant … return them as JSON" kept as code by one while the other left
it. ``NAMES_A_PROGRAM`` is what all of them mean by a program; each rule adds its own few words to it (a program's verbs
for the format phrases, "return" for a request's result). Words whose everyday sense is the common one stay out:
"server" (a restaurant's), "express" ("express the answer as JSON"), "solution" (a problem's), "node", "react"; it
still holds words with an everyday sense beside a program's (program, class, module, rust, java …): near a format
phrase, outside its own sentence, only ``output_format.NEIGHBOUR_WORDS`` count (version 51).
"""

from __future__ import annotations

#: Programming languages and the libraries written like one ("in Python", "in pandas"): no text is written in them.
IN_LANGUAGES = frozenset((
    "python", "java", "javascript", "typescript", "c++", "c#", "f#", "rust", "golang", "bash", "zsh", "powershell",
    "sql", "ruby", "php", "kotlin", "matlab", "scala", "haskell", "perl", "lua", "ocaml", "elixir", "erlang", "clojure",
    "fortran", "cobol", "zig", "dart", "nim", "racket", "prolog", "lisp", "groovy", "objective-c", "cpp", "js", "ts",
    "cuda", "opencl", "verilog", "systemverilog", "vhdl", "solidity", "glsl", "hlsl", "wgsl", "x86", "asm", "awk",
    "vba", "pyspark", "pytorch", "numpy", "pandas", "tensorflow", "jax", "django", "flask", "react", "node", "nodejs",
    "vulkan", "opengl", "webgl", "directx",
))
#: Languages whose name is also a letter, a game, a bird, a key … ("in C", "in Go", "Swift"): a program's only beside one.
AMBIGUOUS_LANGUAGES = frozenset(("c", "r", "go", "d", "swift", "julia", "scheme", "assembly", "arm", "elm", "crystal"))
#: Words that name a program wherever they stand: a language (not an ambiguous one, nor "node" / "react", a graph's
#: node and a person's reaction), a program's kinds and parts, its interface (not "endpoint": a segment's, in geometry).
NAMES_A_PROGRAM = (IN_LANGUAGES - AMBIGUOUS_LANGUAGES - {"node", "react"}) | frozenset((
    "python3", "function", "functions", "program", "programs", "code", "script", "scripts", "class", "classes",
    "implement", "implementation", "algorithm", "algorithms", "def", "api", "module", "snippet", "parser", "regex",
    "backend", "handler", "cli",
))

#: Frameworks, libraries, build and deploy tools, databases and platforms of programming whose names are no everyday
#: word (version 55): the one table of tool names. A text with no other code cue that names one has a code cue
#: (``tool_names.names_a_tool``); they are computing words (``code_words.COMPUTING_WORDS``) and words naming a program
#: in a format phrase's sentence (``output_format.PROGRAM_SENTENCE_WORDS``); and what "write" / "build" make with them
#: is code ("a Vue page", "a Terraform module": ``written_code``). Requests naming a framework and no generic code word
#: ("Add a dark mode toggle to my React app.", "Write a Kubernetes deployment with three replicas …") had no code cue:
#: 0.29, 0.36, the cheap tier.
TOOL_NAMES = frozenset((
    # web front ends and their build tools
    "vuejs", "nuxt", "nuxtjs", "sveltekit", "reactjs", "nextjs", "angularjs", "jquery", "vuex",
    "pinia", "webpack", "vitejs", "esbuild", "tailwindcss", "scss", "npm", "npx", "pnpm", "typescript",
    # back ends, ORMs, APIs
    "nodejs", "expressjs", "nestjs", "fastapi", "fastify", "laravel", "symfony", "django", "flask", "sqlalchemy",
    "pydantic", "sequelize", "graphql", "grpc", "websocket", "websockets", "aiohttp", "asyncio", "httpx",
    # protocols and a server's parts: named by a program, asked about by a user ("Our UDP feed stutters …"; version 79)
    "http", "https", "tcp", "udp", "cli", "microservice", "microservices", "key-value", "command-line",
    "beautifulsoup", "pyyaml", "openpyxl", "boto3",
    # databases and backends as a service
    "redis", "postgres", "postgresql", "mysql", "sqlite", "mongodb", "dynamodb", "elasticsearch", "rabbitmq", "supabase",
    "firebase", "firestore",
    # build, test, deploy, operate
    "docker", "dockerfile", "dockerfiles", "docker-compose", "kubernetes", "kubectl", "k8s", "nginx",
    "jenkinsfile", "circleci", "gradle", "cmake", "makefile", "clang-format", "clang-tidy", "clang++", "valgrind", "gdb",
    "pytest",
    "unittest", "junit", "eslint", "powershell", "vba", "wasm", "webassembly",
    # apps, games, data science
    "swiftui", "xcode", "gdscript", "unity3d", "pygame", "tkinter", "pyqt", "streamlit", "numpy", "pytorch",
    "tensorflow", "keras", "sklearn", "scikit-learn", "matplotlib", "jupyter", "opencv", "langchain",
    # React's hooks ("Why is my useEffect running twice?")
    "useeffect", "usestate", "usememo", "usecallback", "useref", "usecontext", "usereducer", "uselayouteffect",
))
#: Names of tools that are everyday words too (a market reacts, angular velocity, express mail, spring break, a door's
#: rails, a swift, a heart's flutter, an electron, a ship's helm, a tailwind, unity, "vite" in French …), by the words
#: after them that make them the tool: "a React app", "an Angular service", "Node.js" (a word "js"), "Spring Boot".
#: Each pair names the tool (``tool_names.names_a_tool``, ``written_code``).
EVERYDAY_TOOL_NAMES: dict[str, frozenset[str]] = {
    "react": frozenset(("js", "app", "apps", "component", "components", "hook", "hooks", "native", "router", "project",
                        "frontend", "redux", "page", "pages")),
    "angular": frozenset(("js", "app", "apps", "component", "components", "service", "services", "module", "material",
                          "cli", "router", "project", "frontend", "page", "pages")),
    "next": frozenset(("js",)), "node": frozenset(("js",)),
    "express": frozenset(("js", "app", "server", "middleware", "route", "routes", "router", "backend")),
    "spring": frozenset(("boot", "mvc", "security", "framework", "bean", "beans")),
    "rails": frozenset(("app", "apps", "model", "models", "controller", "controllers", "migration", "migrations",
                        "console", "project")),
    "swift": frozenset(("package", "playground")),
    "dart": frozenset(("code", "package")),
    "flutter": frozenset(("app", "apps", "widget", "widgets", "project")),
    "electron": frozenset(("js", "app", "apps")),
    "excel": frozenset(("macro", "macros")),
    "apache": frozenset(("spark", "kafka", "airflow", "flink", "beam", "httpd", "tomcat")),
    "discord": frozenset(("bot", "bots", "py", "webhook", "webhooks")),
    "minecraft": frozenset(("mod", "mods", "plugin", "plugins", "datapack")),
    "github": frozenset(("actions", "action", "workflow", "workflows")),
    "gitlab": frozenset(("ci",)),
    "ci": frozenset(("cd",)),
    "jetpack": frozenset(("compose",)),
    "helm": frozenset(("chart", "charts")),
    "tailwind": frozenset(("css", "classes")),
    "vite": frozenset(("config", "project", "app")),
    "prisma": frozenset(("schema", "client", "migrate")),
    "godot": frozenset(("engine", "script")),
    "unity": frozenset(("script", "scripts", "editor")),
    "jenkins": frozenset(("pipeline", "pipelines", "job", "jobs")),
    "celery": frozenset(("task", "tasks", "worker", "workers")),
    "cypress": frozenset(("test", "tests")),
    "jest": frozenset(("test", "tests")),
    # everyday words of other languages or of English (version 64): French "point de vue", "vue sur la mer"; Tokyo in
    # Spanish, German and Dutch; a svelte figure, a redux of a film, the Axios newsroom; to terraform Mars; a bell's
    # clang, the ansible of science fiction, the GCC countries, a tomcat
    "vue": frozenset(("js", "3", "2", "app", "apps", "component", "components", "page", "pages", "router", "project",
                      "cli", "store", "template", "templates", "frontend", "composable", "composables", "directive",
                      "plugin")),
    "svelte": frozenset(("kit", "app", "component", "components", "store", "stores", "page", "pages", "project")),
    "redux": frozenset(("store", "toolkit", "action", "actions", "reducer", "reducers", "state", "saga", "slice",
                        "slices", "thunk", "thunks", "devtools")),
    "axios": frozenset(("request", "requests", "call", "calls", "interceptor", "interceptors", "instance", "get",
                        "post", "response")),
    "tokio": frozenset(("runtime", "task", "tasks", "spawn", "select", "main", "channel", "channels", "mutex")),
    "terraform": frozenset(("module", "modules", "plan", "state", "provider", "providers", "config", "configuration",
                            "file", "files", "script", "scripts", "code", "resource", "resources", "apply",
                            "template", "templates", "workspace", "workspaces", "backend", "variable", "variables",
                            "cli", "init", "import", "output", "outputs", "project", "registry", "aws", "azure", "gcp")),
    "ansible": frozenset(("playbook", "playbooks", "role", "roles", "inventory", "task", "tasks", "module", "modules",
                          "vault")),
    "clang": frozenset(("format", "tidy", "compiler", "flags", "warning", "warnings", "toolchain")),
    "gcc": frozenset(("compiler", "flags", "flag", "options", "warning", "warnings", "toolchain")),
    "tomcat": frozenset(("server", "servlet", "servlets", "config", "deployment", "webapp", "webapps")),
}
#: Words before an everyday name that make it the tool (version 68, review_s40_b M3): "Use Tokio to build a TCP proxy
#: …" (0.78 -> 0.45 in version 64), "Use Vue to build a kanban board" (0.76 -> 0.33); no everyday sense of these names
#: is used ("use the vue" is no French).
USE_WORDS = ("use", "uses", "used", "via", "built|with")
#: ... and the words before them that do: "in React", "using Flutter", "Ruby on Rails" (not "in angular": "a change in
#: angular velocity"; not "on rails": a train's).
TOOL_AFTER_WORDS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("react", "flutter", "godot"), frozenset(("in", "using") + USE_WORDS)),
    "rails": frozenset(("ruby|on",)),
    "tailwind": frozenset(("with", "using") + USE_WORDS),  # not "with a tailwind"
    **dict.fromkeys(("vue", "redux"), frozenset(("in", "using", "with", "my", "our", "learn", "learning") + USE_WORDS)),
    "terraform": frozenset(("in", "using", "with", "my", "our", "learn", "learning", "the", "write", "writing")
                           + USE_WORDS),
    # not "with svelte legs", "my svelte figure"
    "svelte": frozenset(("in", "using", "learn", "learning") + USE_WORDS),
    "ansible": frozenset(("in", "using", "my", "our", "learn", "learning") + USE_WORDS),
    # not "in Tokio": German; not "via Tokio": a flight's stop
    "tokio": frozenset(("using", "with") + tuple(w for w in USE_WORDS if w != "via")),
    "axios": frozenset(("using", "with") + USE_WORDS),
    # not "with a clang", "trade with GCC states"
    **dict.fromkeys(("clang", "gcc"), frozenset(("using", "compile|with", "compiled|with", "compiling|with",
                                                   "build|with", "built|with") + USE_WORDS)),
    "tomcat": frozenset(("on", "using") + USE_WORDS),
}
#: The words of ``TOOL_AFTER_WORDS`` as word lists ("ruby|on" -> ["ruby", "on"]).
TOOL_BEFORE: dict[str, tuple[list[str], ...]] = {
    name: tuple(w.split("|") for w in before) for name, before in TOOL_AFTER_WORDS.items()}

#: Texts about a tool, beside ``written_code.WRITTEN_TEXTS``, that end the phrase of what "write" / "build" make with
#: it (version 64): "a PyTorch workshop invitation email", "a Kubernetes migration plan", "a Docker cheat sheet", "a
#: Terraform course outline" read as code (0.74-0.79) when only the word after the name was read. Not "policy" (version
#: 66): "a Kubernetes network policy", "a pod security policy" are manifests (0.84 -> 0.67, 0.78 -> 0.35 as texts).
TOOL_TEXTS = frozenset((
    "outline", "outlines", "plan", "plans", "cheat", "cheatsheet", "cheat-sheet", "sheet", "glossary", "invitation",
    "invite", "intro", "introduction", "announcement", "agenda", "posting", "ad", "ads", "proposal", "roadmap",
    "syllabus", "curriculum", "course", "lesson", "lessons", "quiz", "presentation", "slides", "talk", "newsletter",
    "faq", "comparison", "overview", "checklist", "pitch", "resume", "cv", "questions", "ideas", "tips", "readme",
    "documentation", "docs", "pricing", "memo", "press", "handbook", "manual",
))


#: Every word at which ``tool_name_at`` can find a name.
TOOL_NAME_WORDS = frozenset(TOOL_NAMES | TOOL_BEFORE.keys() | EVERYDAY_TOOL_NAMES.keys())


def tool_name_at(words: list[str], k: int) -> int:
    """The number of words the name of a tool at ``words[k]`` takes: 1 for one of ``TOOL_NAMES`` or an everyday name
    after words of its ``TOOL_AFTER_WORDS`` ("write the terraform", version 64), 2 for an everyday name before a word
    of its ``EVERYDAY_TOOL_NAMES`` ("react app", "github actions"), 0 when none is there."""
    w = words[k]
    if w in TOOL_NAMES:
        return 1
    before = TOOL_BEFORE.get(w)  # (most words are no name: no generator for them)
    if before is not None and any(words[max(0, k - len(b)):k] == b for b in before):
        return 1
    after = EVERYDAY_TOOL_NAMES.get(w)
    return 2 if after and k + 1 < len(words) and words[k + 1] in after else 0
