<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AccountTableModel</name>
    <message>
        <location filename="../../counter_app/gui/account_table_model.py" line="+95"/>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Capital account</source>
        <translation>资金账号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Class</source>
        <translation>分类</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reasons</source>
        <translation>原因</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Depository</source>
        <translation>存管状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Securities accounts</source>
        <translation>证券账户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Balance (yuan)</source>
        <translation>资金余额（元）</translation>
    </message>
</context>
<context>
    <name>AccountsPage</name>
    <message>
        <location filename="../../counter_app/gui/accounts_page.py" line="+96"/>
        <source>&amp;Class:</source>
        <translation>分类(&amp;C)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All accounts</source>
        <translation>全部账户</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Export &amp;CSV…</source>
        <translation>导出 CSV(&amp;C)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export &amp;XLSX…</source>
        <translation>导出 XLSX(&amp;X)…</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>{shown} shown</source>
        <translation>已显示 {shown} 户</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{shown} of {total} shown (more load as you scroll)</source>
        <translation>已显示 {shown} / 共 {total} 户（滚动时继续加载）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Excel files (*.xlsx)</source>
        <translation>Excel 文件 (*.xlsx)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export the account list</source>
        <translation>导出账户清单</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Exporting the account list…</source>
        <translation>正在导出账户清单…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{n} accounts written to {path}.</source>
        <translation>已将 {n} 户写入 {path}。</translation>
    </message>
</context>
<context>
    <name>AuditEditor</name>
    <message>
        <location filename="../../counter_app/gui/audit.py" line="+196"/>
        <location line="+74"/>
        <source>Data before and after ({n})</source>
        <translation>变更前后资料（{n}）</translation>
    </message>
    <message>
        <location line="-73"/>
        <source>Agreement</source>
        <translation>协议</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>History</source>
        <translation>案件历程</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Field</source>
        <translation>项目</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Before</source>
        <translation>变更前</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>After</source>
        <translation>变更后</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+7"/>
        <source>By</source>
        <translation>经办人</translation>
    </message>
    <message>
        <location line="-7"/>
        <location line="+4"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Step</source>
        <translation>环节</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>From → to</source>
        <translation>流转</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reasons and note</source>
        <translation>原因及备注</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Approve (Ctrl+Enter)</source>
        <translation>复核通过(&amp;A)（Ctrl+Enter）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Reject…</source>
        <translation>退回(&amp;R)…</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Loading…</source>
        <translation>正在载入…</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>No agreement was signed in this case (the account was already on depository).</source>
        <translation>本案件未签署协议（该账户已办理存管）。</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+1"/>
        <source>(empty)</source>
        <translation>（空）</translation>
    </message>
</context>
<context>
    <name>BankModel</name>
    <message>
        <location filename="../../counter_app/gui/bank_posting.py" line="+79"/>
        <source>(no bank)</source>
        <translation>（无银行）</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Bank</source>
        <translation>银行</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>To send</source>
        <translation>待发送</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Awaiting the bank</source>
        <translation>待银行确认</translation>
    </message>
</context>
<context>
    <name>BankPostingPage</name>
    <message>
        <location line="+128"/>
        <source>Include cases already sent (send again)</source>
        <translation>包括已发送的案件（重新发送）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Export batch file…</source>
        <translation>导出批量文件(&amp;E)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Import bank response…</source>
        <translation>导入银行回复文件(&amp;I)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Confirm by &amp;hand…</source>
        <translation>人工确认(&amp;H)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel case…</source>
        <translation>撤销案件…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refresh (F5)</source>
        <translation>刷新（F5）</translation>
    </message>
    <message>
        <location line="+75"/>
        <location line="+80"/>
        <source>line {line}: {account} {problem}</source>
        <translation>第 {line} 行：{account} {problem}</translation>
    </message>
    <message>
        <location line="-63"/>
        <source>Batch file for {bank}</source>
        <translation>{bank} 批量文件</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>{n} case(s) written to {path}; they now await the bank&apos;s answer.</source>
        <translation>已将 {n} 件写入 {path}，等待银行确认。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Nothing to send for this bank: no file written.</source>
        <translation>该银行没有待发送的案件，未生成文件。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>The bank&apos;s response file</source>
        <translation>银行回复文件</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Response files (*.csv *.txt);;All files (*)</source>
        <translation>回复文件 (*.csv *.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>{name}: {lines} line(s); {ok} confirmed, {failed} refused by the bank, {unknown} not matching any case.</source>
        <translation>{name}：共 {lines} 行；确认 {ok} 件，银行拒绝 {failed} 件，{unknown} 行无对应案件。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>refused: {account} {message}</source>
        <translation>银行拒绝：{account} {message}</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Confirm case {case_no} by hand</source>
        <translation>人工确认案件 {case_no}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>How did the bank confirm it (who, when)? The reason is kept with the case.</source>
        <translation>银行是如何确认的（何人、何时）？原因将随案件保存。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Case {case_no} confirmed: the account is on depository.</source>
        <translation>案件 {case_no} 已确认：账户已办理存管。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Its restrictions can now be lifted: look the account up (Ctrl+F).</source>
        <translation>该账户的限制措施现在可以解除：请查询该账户（Ctrl+F）。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Cancel case {case_no}</source>
        <translation>撤销案件 {case_no}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Why is case {case_no} cancelled? The case and its history are kept.</source>
        <translation>案件 {case_no} 撤销的原因？案件及其历程将保留。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Case {case_no} cancelled.</source>
        <translation>案件 {case_no} 已撤销。</translation>
    </message>
</context>
<context>
    <name>BugDialog</name>
    <message>
        <location filename="../../counter_app/gui/errors.py" line="+110"/>
        <source>counter_app: unexpected error</source>
        <translation>counter_app：意外错误</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Something went wrong that is not your fault: this is a bug in counter_app. Your last action may not have been saved. Please copy the details below and send them to the person who looks after counter_app.</source>
        <translation>出现了问题，这不是您的操作错误，而是 counter_app 程序的缺陷。您最后的操作可能未保存。请复制下面的详细信息，发送给负责维护 counter_app 的人员。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Copy details</source>
        <translation>复制详细信息</translation>
    </message>
</context>
<context>
    <name>CaseEditor</name>
    <message>
        <location filename="../../counter_app/gui/post_page.py" line="+97"/>
        <source>Give &amp;back to the queue</source>
        <translation>退回队列(&amp;B)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel case…</source>
        <translation>撤销案件…</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>&lt;b&gt;Case {case_no}&lt;/b&gt; — {state}&lt;br&gt;Capital account &lt;b&gt;{account}&lt;/b&gt;, &lt;b&gt;{name}&lt;/b&gt;&lt;br&gt;Class: {cls}; depository: {dep}</source>
        <translation>&lt;b&gt;案件 {case_no}&lt;/b&gt; — {state}&lt;br&gt;资金账号 &lt;b&gt;{account}&lt;/b&gt;，&lt;b&gt;{name}&lt;/b&gt;&lt;br&gt;分类：{cls}；存管状态：{dep}</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Reasons:</source>
        <translation>原因：</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Sent back by {who} ({when}): {why}</source>
        <translation>{who} 退回（{when}）：{why}</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Case {case_no} went to {state}.</source>
        <translation>案件 {case_no} 已转至{state}。</translation>
    </message>
</context>
<context>
    <name>ChangePasswordDialog</name>
    <message>
        <location filename="../../counter_app/gui/login_dialog.py" line="+193"/>
        <source>Choose a new password</source>
        <translation>设置新密码</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{user}: an administrator set your password. Choose your own now.</source>
        <translation>{user}：管理员为您设置了密码，请现在设置您自己的密码。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>&amp;New password:</source>
        <translation>新密码(&amp;N)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Again:</source>
        <translation>再次输入(&amp;A)：</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
</context>
<context>
    <name>ConflictDialog</name>
    <message>
        <location filename="../../counter_app/gui/conflict_dialog.py" line="+42"/>
        <source>Someone else changed this customer</source>
        <translation>他人已修改该客户资料</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Since you opened the form, someone else saved changes to this customer. Nothing of yours was saved yet. Choose what to keep.</source>
        <translation>您打开表单后，他人保存了对该客户资料的修改。您的修改尚未保存，请选择保留哪些内容。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Field</source>
        <translation>项目</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Saved by the other person</source>
        <translation>他人保存的值</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Changed by</source>
        <translation>修改人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Yours</source>
        <translation>您的值</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>{value} (you changed this)</source>
        <translation>{value}（您修改的）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Reload theirs</source>
        <translation>载入他人保存的资料(&amp;R)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Keep mine on top of theirs</source>
        <translation>在其基础上保留我的修改(&amp;K)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Keep mine: your edited fields are applied to the data saved now and saved again; the other changes stay as the other person saved them.</source>
        <translation>保留我的修改：将您修改过的项目应用到当前已保存的资料上并重新保存；其他项目保持他人保存的内容。</translation>
    </message>
</context>
<context>
    <name>ConnectionDialog</name>
    <message>
        <location filename="../../counter_app/gui/connection_dialog.py" line="+45"/>
        <source>The database is at a newer schema than this program: install the newer counter_app on this workstation.</source>
        <translation>数据库的结构版本比本程序新：请在本工作站安装新版 counter_app。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The database has no counter_app tables yet: ask IT to run counter-app init-db.</source>
        <translation>数据库还没有 counter_app 数据表：请联系IT运行 counter-app init-db。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The database is at an older schema: ask IT to run counter-app init-db.</source>
        <translation>数据库的结构版本较旧：请联系IT运行 counter-app init-db。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The server asks for this workstation&apos;s database password: type it in the Password field (it is not saved).</source>
        <translation>服务器要求输入本工作站的数据库密码：请在“密码”栏中输入（不会保存）。</translation>
    </message>
    <message>
        <location line="+125"/>
        <source>Database connection</source>
        <translation>数据库连接</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Where this workstation keeps its data: a file on this computer (one workstation working alone), or the hall&apos;s shared PostgreSQL server.</source>
        <translation>本工作站的数据存放位置：本机上的文件（单台工作站独立使用），或营业厅共享的 PostgreSQL 服务器。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This &amp;computer (local file)</source>
        <translation>本机（本地文件）(&amp;C)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Shared &amp;server</source>
        <translation>共享服务器(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Shared server</source>
        <translation>共享服务器</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Host:</source>
        <translation>主机(&amp;H)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>P&amp;ort:</source>
        <translation>端口(&amp;O)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Database:</source>
        <translation>数据库(&amp;D)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;User:</source>
        <translation>用户名(&amp;U)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pass&amp;word:</source>
        <translation>密码(&amp;W)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>TLS (ssl&amp;mode):</source>
        <translation>TLS 加密 sslmode(&amp;M)：</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The password is not saved: it is kept only while the program runs. Leave it empty to use PGPASSWORD or the pgpass file.</source>
        <translation>密码不会保存：仅在程序运行期间保留。留空则使用 PGPASSWORD 或 pgpass 文件中的密码。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>server default</source>
        <translation>服务器默认</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This run uses the address given with --db or COUNTER_APP_DB; what you save here applies when neither is given.</source>
        <translation>本次运行使用 --db 或 COUNTER_APP_DB 指定的地址；此处保存的设置在两者都未指定时才生效。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Test connection</source>
        <translation>测试连接(&amp;T)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save and co&amp;nnect</source>
        <translation>保存并连接(&amp;N)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+82"/>
        <source>Connecting to {server}…</source>
        <translation>正在连接 {server}…</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Connection OK: the database is ready for this program.</source>
        <translation>连接成功：数据库可供本程序使用。</translation>
    </message>
</context>
<context>
    <name>DataFillingEditor</name>
    <message>
        <location filename="../../counter_app/gui/data_filling.py" line="+150"/>
        <source>Field</source>
        <translation>项目</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>On record</source>
        <translation>原值</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>New value</source>
        <translation>新值</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Check</source>
        <translation>校验</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Save (Ctrl+S)</source>
        <translation>保存(&amp;S)（Ctrl+S）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Forward to signing (Ctrl+Enter)</source>
        <translation>转签约(&amp;F)（Ctrl+Enter）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Print change form (Ctrl+P)</source>
        <translation>打印变更申请表(&amp;P)（Ctrl+P）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>on record</source>
        <translation>已有档案</translation>
    </message>
    <message>
        <location line="+153"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>(empty)</source>
        <translation>（空）</translation>
    </message>
    <message>
        <location line="+107"/>
        <source>Nothing changed; the account was screened again.</source>
        <translation>资料未变更；已重新清查该账户。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cleared:</source>
        <translation>已解决：</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+7"/>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>Still to fix:</source>
        <translation>仍需处理：</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Nothing left to fix: the case can go on to signing (Ctrl+Enter).</source>
        <translation>已无待处理问题：案件可转签约（Ctrl+Enter）。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Your changes are applied on top of the saved data.</source>
        <translation>已在他人保存的资料基础上应用您的修改。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The data saved by the other person are shown.</source>
        <translation>已显示他人保存的资料。</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>No data were changed in this case yet: there is no change form to print.</source>
        <translation>本案件尚未变更任何资料，没有可打印的变更申请表。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Data change form</source>
        <translation>客户资料变更申请表</translation>
    </message>
</context>
<context>
    <name>DiversionPage</name>
    <message>
        <location filename="../../counter_app/gui/diversion.py" line="+245"/>
        <source>&amp;Open case (Ctrl+Enter)</source>
        <translation>开立案件(&amp;O)（Ctrl+Enter）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Lift restrictions…</source>
        <translation>解除限制(&amp;L)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show full number</source>
        <translation>显示完整号码</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Type a capital account, ID number, securities account, phone number, name or agreement number in the search field (Ctrl+F), or scan a barcode.</source>
        <translation>在搜索框（Ctrl+F）中输入资金账号、证件号码、证券账户、电话号码、姓名或协议编号，或扫描条码。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Searching for “{q}”…</source>
        <translation>正在查找“{q}”…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{n} account(s) found for “{q}”.</source>
        <translation>“{q}”共找到 {n} 户。</translation>
    </message>
    <message>
        <location line="+93"/>
        <source>A new case goes to: {post}</source>
        <translation>新案件将转至：{post}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No case can be opened: {why}</source>
        <translation>不能开立案件：{why}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>ID</source>
        <translation>证件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Phone</source>
        <translation>联系电话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Address</source>
        <translation>联系地址</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Class</source>
        <translation>分类</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Depository</source>
        <translation>存管状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Balance</source>
        <translation>资金余额</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Securities accounts</source>
        <translation>证券账户</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Reasons</source>
        <translation>原因</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>None: the account is standardized.</source>
        <translation>无：该账户已规范。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Restrictions</source>
        <translation>限制措施</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Flags set by staff</source>
        <translation>人工标记</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cases</source>
        <translation>案件</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+18"/>
        <source>None.</source>
        <translation>无。</translation>
    </message>
    <message>
        <location line="-16"/>
        <source>Classification history</source>
        <translation>分类历史</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>active</source>
        <translation>生效中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>lifted {when} by {who}</source>
        <translation>已于 {when} 由 {who} 解除</translation>
    </message>
    <message>
        <location line="+12"/>
        <source> — cleared {when} by {who}: {note}</source>
        <translation> — 已于 {when} 由 {who} 清除：{note}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>, held by {who} since {since}</source>
        <translation>，由 {who} 自 {since} 起处理中</translation>
    </message>
    <message>
        <location line="-41"/>
        <source>now</source>
        <translation>至今</translation>
    </message>
    <message>
        <location line="+91"/>
        <source>Lift restrictions</source>
        <translation>解除限制</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The account is standardized. Lift {names}? Why (e.g. the case that standardized it)?</source>
        <translation>该账户已规范。解除{names}？请说明原因（例如使其规范的案件）。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>{n} restriction(s) lifted.</source>
        <translation>已解除 {n} 项限制。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Case {case_no} opened and sent to {post}.</source>
        <translation>案件 {case_no} 已开立并转至{post}。</translation>
    </message>
</context>
<context>
    <name>DocumentDialog</name>
    <message>
        <location filename="../../counter_app/gui/document_dialog.py" line="+22"/>
        <source>&amp;Print…</source>
        <translation>打印(&amp;P)…</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Printing…</source>
        <translation>正在打印…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{n} page(s) sent to the printer.</source>
        <translation>已向打印机发送 {n} 页。</translation>
    </message>
</context>
<context>
    <name>FirstRunDialog</name>
    <message>
        <location filename="../../counter_app/gui/first_run.py" line="+144"/>
        <source>counter_app: first run</source>
        <translation>counter_app：首次运行</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This database has no users yet. Create the first administrator: the person who adds the other users and gives them their posts. There is no built-in password; choose one of at least {n} characters.</source>
        <translation>该数据库尚无用户。请创建第一位管理员：由其添加其他用户并分配岗位。系统没有内置密码，请设置至少 {n} 个字符的密码。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Database:</source>
        <translation>数据库：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Username:</source>
        <translation>用户名(&amp;U)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Name shown:</source>
        <translation>显示姓名(&amp;N)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Password:</source>
        <translation>密码(&amp;P)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Again:</source>
        <translation>再次输入(&amp;A)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Language:</source>
        <translation>语言(&amp;L)：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This administrator also works at every counter post</source>
        <translation>该管理员同时在各柜台岗位办理业务</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Load &amp;demo data, accounts:</source>
        <translation>载入演示数据(&amp;D)，账户数：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Create</source>
        <translation>创建(&amp;C)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>Loading the demo branch…</source>
        <translation>正在载入演示营业部数据…</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Loading the demo branch… {n} accounts</source>
        <translation>正在载入演示营业部数据… {n} 户</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The demo data was not loaded.</source>
        <translation>演示数据未载入。</translation>
    </message>
    <message>
        <location line="-89"/>
        <source>Data&amp;base…</source>
        <translation>数据库(&amp;B)…</translation>
    </message>
</context>
<context>
    <name>ImportPage</name>
    <message>
        <location filename="../../counter_app/gui/import_page.py" line="+189"/>
        <source>Import the account list exported from the counter system (.csv, .txt or .xlsx; Chinese or English headers; UTF-8 or GB18030). Importing the same accounts again updates them. A file with unreadable rows is refused whole.</source>
        <translation>导入从柜台系统导出的账户清单（.csv、.txt 或 .xlsx；中文或英文表头；UTF-8 或 GB18030 编码）。再次导入相同账户将更新其资料。含有无法读取的行的文件将被整体拒绝。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;File:</source>
        <translation>文件(&amp;F)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Base date:</source>
        <translation>基准日(&amp;B)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Choose file…</source>
        <translation>选择文件(&amp;C)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Import</source>
        <translation>导入(&amp;I)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Path of the export file</source>
        <translation>导出文件的路径</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>The first import sets the base date of the statistics; it cannot be changed later.</source>
        <translation>首次导入确定统计基准日，之后不能更改。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Set by the first import.</source>
        <translation>由首次导入确定。</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Choose the counter-system export</source>
        <translation>选择柜台系统导出文件</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Exports (*.csv *.txt *.xlsx);;All files (*)</source>
        <translation>导出文件 (*.csv *.txt *.xlsx);;所有文件 (*)</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Choose a file first.</source>
        <translation>请先选择文件。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>There is no file {path}.</source>
        <translation>文件 {path} 不存在。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Importing {name}…</source>
        <translation>正在导入 {name}…</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Cancelling… nothing of this file will be kept.</source>
        <translation>正在取消…该文件的内容均不会保留。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Importing… {rows} rows read</source>
        <translation>正在导入…已读取 {rows} 行</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Import cancelled: nothing was imported.</source>
        <translation>已取消导入：未导入任何内容。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Imported {name}: {rows} rows read; {new} new, {updated} updated, {unchanged} unchanged.</source>
        <translation>已导入 {name}：读取 {rows} 行；新增 {new}，更新 {updated}，未变 {unchanged}。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Base date: {date}</source>
        <translation>基准日：{date}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Columns ignored (unknown): {columns}</source>
        <translation>已忽略的列（无法识别）：{columns}</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The file was refused: {count} problem(s) in {rows} row(s). Nothing was imported; correct the rows below and import the file again.</source>
        <translation>文件被拒绝：{rows} 行中有 {count} 处问题。未导入任何内容；请改正下列各行后重新导入。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The file was refused: {why}</source>
        <translation>文件被拒绝：{why}</translation>
    </message>
</context>
<context>
    <name>LockPage</name>
    <message>
        <location filename="../../counter_app/gui/idle_lock.py" line="+289"/>
        <source>Screen locked</source>
        <translation>屏幕已锁定</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Locked after idle time. {user} is signed in; the open work is kept.</source>
        <translation>因长时间未操作已锁定。当前登录用户：{user}；未完成的工作已保留。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Password:</source>
        <translation>密码(&amp;P)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Unlock</source>
        <translation>解锁(&amp;U)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign &amp;out</source>
        <translation>注销(&amp;O)</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Enter your password.</source>
        <translation>请输入密码。</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../counter_app/gui/login_dialog.py" line="-132"/>
        <source>counter_app: sign in</source>
        <translation>counter_app：登录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Third-party depository counter</source>
        <translation>第三方存管柜台</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Database:</source>
        <translation>数据库：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Username:</source>
        <translation>用户名(&amp;U)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Password:</source>
        <translation>密码(&amp;P)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Language:</source>
        <translation>语言(&amp;L)：</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Sign in</source>
        <translation>登录(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Enter your username and password.</source>
        <translation>请输入用户名和密码。</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>You must choose a new password to continue.</source>
        <translation>必须设置新密码才能继续。</translation>
    </message>
    <message>
        <location line="-65"/>
        <source>&amp;Database…</source>
        <translation>数据库(&amp;D)…</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../counter_app/gui/main_window.py" line="+193"/>
        <source>Look up</source>
        <extracomment>cases claimed in this window: id -&gt; the claim&apos;s time (given back on leaving)</extracomment>
        <translation>查询</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Accounts</source>
        <translation>账户台账</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Statistics</source>
        <translation>统计报表</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Users</source>
        <translation>用户管理</translation>
    </message>
    <message>
        <location line="+61"/>
        <source>counter_app — third-party depository counter</source>
        <translation>counter_app — 第三方存管柜台</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> Search: </source>
        <translation> 查找：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>capital account, ID, securities account, phone, name, case… (Ctrl+F)</source>
        <translation>资金账号、证件号码、证券账户、电话、姓名、案件号…（Ctrl+F）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Session</source>
        <translation>会话(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Search</source>
        <translation>查找(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Lock screen</source>
        <translation>锁定屏幕(&amp;L)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign &amp;out</source>
        <translation>注销(&amp;O)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign out and choose the &amp;database…</source>
        <translation>注销并选择数据库(&amp;D)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;View</source>
        <translation>查看(&amp;V)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Keyboard shortcuts</source>
        <translation>快捷键(&amp;K)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>User: {user}</source>
        <translation>用户：{user}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>local file</source>
        <translation>本机文件</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>shared server</source>
        <translation>共享服务器</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Database: {kind} ({where})</source>
        <translation>数据库：{kind}（{where}）</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Keyboard shortcuts</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ctrl+F or F3: search (Enter to find)
Ctrl+1 … Ctrl+9: the posts
Ctrl+N: take the next case
Enter on a queue row: take that case
F5: refresh the queue
Ctrl+Enter: the post&apos;s main step (open, forward, sign, approve)
Ctrl+S: save the form · Ctrl+P: print
Enter or Tab: next field
Ctrl+L: lock the screen
A barcode scanner works anywhere: the case or account it names opens.</source>
        <translation>Ctrl+F 或 F3：查找（回车执行）
Ctrl+1 … Ctrl+9：切换岗位
Ctrl+N：领取下一件
在队列行上回车：领取该案件
F5：刷新队列
Ctrl+Enter：本岗位的主要操作（开立、转办、签约、复核通过）
Ctrl+S：保存表单 · Ctrl+P：打印
回车或 Tab：下一项
Ctrl+L：锁定屏幕
扫码枪在任何界面均可使用：自动打开条码对应的案件或账户。</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>Post: {post}</source>
        <translation>岗位：{post}</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>Looking customers up needs a counter role.</source>
        <translation>查询客户需要柜台岗位角色。</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>No case {code}.</source>
        <translation>没有案件 {code}。</translation>
    </message>
    <message>
        <location line="+60"/>
        <source>● database unreachable</source>
        <translation>● 数据库无法连接</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>● checking…</source>
        <translation>● 正在检查…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>● database OK ({ms} ms)</source>
        <translation>● 数据库正常（{ms} 毫秒）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>● database schema changed: restart counter_app</source>
        <translation>● 数据库结构已变更：请重新启动 counter_app</translation>
    </message>
    <message>
        <location line="+60"/>
        <source>Unsaved changes</source>
        <translation>有未保存的修改</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The changes to case {cases} are not saved and will be lost. Leave anyway?</source>
        <translation>案件 {cases} 的修改尚未保存，离开将丢失这些修改。仍要离开吗？</translation>
    </message>
</context>
<context>
    <name>PostPage</name>
    <message>
        <location filename="../../counter_app/gui/post_page.py" line="+57"/>
        <source>Take a case from the queue: Ctrl+N takes the next one, Enter the selected one.</source>
        <translation>请从队列中领取案件：Ctrl+N 领取下一件，回车领取选中的案件。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>You may look at this queue; working at this post needs its role.</source>
        <translation>您可以查看该队列；在本岗位办理业务需要相应角色。</translation>
    </message>
</context>
<context>
    <name>PostQueue</name>
    <message>
        <location filename="../../counter_app/gui/post_queue.py" line="+134"/>
        <source>Queue: {post}</source>
        <extracomment>queues refresh themselves this often, so everybody sees new claims</extracomment>
        <translation>队列：{post}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Take &amp;next (Ctrl+N)</source>
        <translation>领取下一件(&amp;N)（Ctrl+N）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Take selected</source>
        <translation>领取选中(&amp;T)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Release</source>
        <translation>放回队列(&amp;R)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel case…</source>
        <translation>撤销案件…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refresh (F5)</source>
        <translation>刷新（F5）</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>{n} case(s), {w} waiting</source>
        <translation>共 {n} 件，等待 {w} 件</translation>
    </message>
    <message>
        <location line="+94"/>
        <source>Nobody is waiting at this post.</source>
        <translation>本岗位没有等待办理的案件。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>You may look at this queue but not work at this post.</source>
        <translation>您可以查看该队列，但不能在本岗位办理业务。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>You hold case {case_no} ({name}).</source>
        <translation>您正在办理案件 {case_no}（{name}）。</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Case {case_no} is back in the queue.</source>
        <translation>案件 {case_no} 已放回队列。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Cancel case {case_no}</source>
        <translation>撤销案件 {case_no}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Why is case {case_no} cancelled? The case and its history are kept.</source>
        <translation>案件 {case_no} 撤销的原因？案件及其历程将保留。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Case {case_no} cancelled.</source>
        <translation>案件 {case_no} 已撤销。</translation>
    </message>
</context>
<context>
    <name>PostingModel</name>
    <message>
        <location filename="../../counter_app/gui/bank_posting.py" line="-300"/>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Capital account</source>
        <translation>资金账号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Depository</source>
        <translation>存管状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Agreement</source>
        <translation>协议</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Held by</source>
        <translation>办理人</translation>
    </message>
</context>
<context>
    <name>QueueModel</name>
    <message>
        <location filename="../../counter_app/gui/queue_model.py" line="+81"/>
        <source>Held by {who} since {since}</source>
        <translation>{who} 自 {since} 起办理</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>(waiting)</source>
        <translation>（等待中）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>me</source>
        <translation>本人</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Capital account</source>
        <translation>资金账号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Class</source>
        <translation>分类</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Opened</source>
        <translation>开立时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Held by</source>
        <translation>办理人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Since</source>
        <translation>领取时间</translation>
    </message>
</context>
<context>
    <name>ReasonDialog</name>
    <message>
        <location filename="../../counter_app/gui/dialogs.py" line="+63"/>
        <source>A reason is required; it is kept with the case.</source>
        <translation>必须填写原因，原因将随案件保存。</translation>
    </message>
</context>
<context>
    <name>RejectDialog</name>
    <message>
        <location filename="../../counter_app/gui/audit.py" line="-173"/>
        <source>Reject case {case_no}</source>
        <translation>退回案件 {case_no}</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Reasons (check at least one):</source>
        <translation>退回原因（至少选一项）：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Note:</source>
        <translation>备注：</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Check at least one reason.</source>
        <translation>请至少选择一项原因。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&quot;Other&quot; needs a note saying what is wrong.</source>
        <translation>选择“其他”时须在备注中说明问题。</translation>
    </message>
</context>
<context>
    <name>ResultsModel</name>
    <message>
        <location filename="../../counter_app/gui/diversion.py" line="-444"/>
        <source>Capital account</source>
        <translation>资金账号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ID number</source>
        <translation>证件号码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Class</source>
        <translation>分类</translation>
    </message>
</context>
<context>
    <name>RoleChecks</name>
    <message>
        <location filename="../../counter_app/gui/users_page.py" line="+131"/>
        <source>Roles</source>
        <translation>角色</translation>
    </message>
</context>
<context>
    <name>RowErrorModel</name>
    <message>
        <location filename="../../counter_app/gui/import_page.py" line="-281"/>
        <source>(whole row)</source>
        <translation>（整行）</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Line</source>
        <translation>行号</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Column</source>
        <translation>列</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
</context>
<context>
    <name>SigningEditor</name>
    <message>
        <location filename="../../counter_app/gui/signing.py" line="+107"/>
        <source>&amp;Bank:</source>
        <translation>存管银行(&amp;B)：</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Bank &amp;account:</source>
        <translation>银行账号(&amp;A)：</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Agreement &amp;language:</source>
        <translation>协议语言(&amp;L)：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Pre&amp;view (F9)</source>
        <translation>预览(&amp;V)（F9）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Sign and print (Ctrl+Enter)</source>
        <translation>签约并打印(&amp;S)（Ctrl+Enter）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send back to data filling…</source>
        <translation>退回资料补录…</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+20"/>
        <source>The agreement appears here once the bank and the bank account are entered.</source>
        <translation>选择银行并输入银行账号后，协议将显示在这里。</translation>
    </message>
    <message>
        <location line="+142"/>
        <source>Agreement {number}</source>
        <translation>协议 {number}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Agreement {number} recorded; case {case_no} went to audit.</source>
        <translation>协议 {number} 已登记；案件 {case_no} 已转复核。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Send back to data filling</source>
        <translation>退回资料补录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>What must data filling correct?</source>
        <translation>资料补录需要改正什么？</translation>
    </message>
</context>
<context>
    <name>StatsModel</name>
    <message>
        <location filename="../../counter_app/gui/stats_page.py" line="+93"/>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Base date:
capital accounts</source>
        <translation>基准日：
资金账户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Base date:
securities accounts</source>
        <translation>基准日：
证券账户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>As of:
capital accounts</source>
        <translation>统计日：
资金账户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>As of:
securities accounts</source>
        <translation>统计日：
证券账户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Change:
capital accounts</source>
        <translation>变动：
资金账户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Change:
securities accounts</source>
        <translation>变动：
证券账户</translation>
    </message>
</context>
<context>
    <name>StatsPage</name>
    <message>
        <location line="+53"/>
        <source>&amp;As of:</source>
        <translation>统计日(&amp;A)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Show</source>
        <translation>查询(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export &amp;CSV…</source>
        <translation>导出 CSV(&amp;C)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export &amp;XLSX…</source>
        <translation>导出 XLSX(&amp;X)…</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>No statistics yet.</source>
        <translation>暂无统计数据。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Base date {base}; as of {as_of}.</source>
        <translation>基准日 {base}；统计日 {as_of}。</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Excel files (*.xlsx)</source>
        <translation>Excel 文件 (*.xlsx)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export the statistics</source>
        <translation>导出统计表</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Written to {path}.</source>
        <translation>已写入 {path}。</translation>
    </message>
</context>
<context>
    <name>UserDialog</name>
    <message>
        <location filename="../../counter_app/gui/users_page.py" line="+32"/>
        <source>Add a user</source>
        <translation>添加用户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Username:</source>
        <translation>用户名(&amp;U)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Name shown:</source>
        <translation>显示姓名(&amp;N)：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>User:</source>
        <translation>用户：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Reset the password</source>
        <translation>重置密码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Password:</source>
        <translation>密码(&amp;P)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Again:</source>
        <translation>再次输入(&amp;A)：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>At least {n} characters. The user must change it at the next sign-in.</source>
        <translation>至少 {n} 个字符。该用户下次登录时必须修改密码。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Change roles</source>
        <translation>修改角色</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
</context>
<context>
    <name>UsersModel</name>
    <message>
        <location line="-109"/>
        <source>locked until {time}</source>
        <translation>锁定至 {time}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>must change password</source>
        <translation>须修改密码</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Username</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Roles</source>
        <translation>角色</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Active</source>
        <translation>启用</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
</context>
<context>
    <name>UsersPage</name>
    <message>
        <location line="+140"/>
        <source>&amp;Add user…</source>
        <translation>添加用户(&amp;A)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reset &amp;password…</source>
        <translation>重置密码(&amp;P)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Change &amp;roles…</source>
        <translation>修改角色(&amp;R)…</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>&amp;Enable</source>
        <translation>启用(&amp;E)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Disable</source>
        <translation>停用(&amp;D)</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Added {user}.</source>
        <translation>已添加 {user}。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>New password set for {user}.</source>
        <translation>已为 {user} 设置新密码。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Roles of {user} changed.</source>
        <translation>已修改 {user} 的角色。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{user} enabled.</source>
        <translation>已启用 {user}。</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{user} disabled.</source>
        <translation>已停用 {user}。</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <location filename="../../counter_app/gui/errors.py" line="-48"/>
        <source>This is a bug in counter_app: {error}</source>
        <translation>这是 counter_app 的程序缺陷：{error}</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>counter_app</source>
        <translation>counter_app</translation>
    </message>
</context>
<context>
    <name>labels</name>
    <message>
        <location filename="../../counter_app/gui/labels.py" line="+24"/>
        <source>opened</source>
        <translation>开立</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>data saved</source>
        <translation>保存资料</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>forwarded</source>
        <translation>转办</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sent back</source>
        <translation>退回</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>rejected</source>
        <translation>复核退回</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sent to the bank</source>
        <translation>发送银行</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>confirmed by the bank</source>
        <translation>银行确认</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>refused by the bank</source>
        <translation>银行拒绝</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>confirmed by hand</source>
        <translation>人工确认</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>cancelled</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No withdrawal</source>
        <translation>限制取款</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No buying</source>
        <translation>禁止买入</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No cancelling designated trading</source>
        <translation>禁止撤销指定交易</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No custody transfer</source>
        <translation>禁止转托管</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no</source>
        <translation>否</translation>
    </message>
</context>
</TS>
