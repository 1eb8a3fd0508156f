// ui placeholder: replaced by the window issue.
namespace headroom::ui { int placeholder() { return 0; } }
