"""What the whole-body translation tests share (test_responses_api_translation.py, test_anthropic_api_translation.py):
generated JSON made of the words and keys both translators read, so that the bodies reach them."""

from __future__ import annotations

from hypothesis import strategies as st

#: The words and keys both translators read (Responses and Anthropic Messages), so that generated bodies reach them.
_WORDS = st.sampled_from(["message", "reasoning", "reasoning_text", "summary_text", "function_call", "function_call_output", "custom_tool_call",
                          "assistant", "user", "system", "developer", "output_text", "input_text", "input_image", "input_file", "text",
                          "tool_use", "tool_result", "thinking", "redacted_thinking", "image", "document", "base64", "enabled", "disabled",
                          "json_schema", "json_object", "function", "custom", "auto", "any", "none", "tool", "required", "low", "high", "max"])


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=5) | _WORDS,
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(
                        ["type", "role", "content", "text", "call_id", "name", "arguments", "output", "image_url", "file_data", "format",
                         "summary", "effort", "budget_tokens", "schema", "source", "input_schema", "parameters", "tool_use_id", "is_error",
                         "thinking", "id", "input", "data", "media_type", "url", "strict", "description", "disable_parallel_tool_use",
                         "verbosity", "generate_summary", "filename", "detail"]), inner, max_size=4),
                    max_leaves=12)
