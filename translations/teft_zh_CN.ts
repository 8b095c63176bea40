<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>QObject</name>
    <message>
        <source>TEFT Studio</source>
        <translation>TEFT Studio</translation>
    </message>
    <message>
        <source>The job store cannot be used:

%1

Choose another data directory with --data-dir or in the settings.</source>
        <translation>无法使用任务存储：

%1

请通过 --data-dir 或在设置中选择其他数据目录。</translation>
    </message>
</context>
<context>
    <name>Stage</name>
    <message>
        <source>Loading the model</source>
        <translation>正在加载模型</translation>
    </message>
    <message>
        <source>Tokenizing the dataset</source>
        <translation>正在对数据集分词</translation>
    </message>
    <message>
        <source>Hashing the dataset</source>
        <translation>正在计算数据集哈希</translation>
    </message>
    <message>
        <source>Recording routing</source>
        <translation>正在记录路由</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Measuring the held-out loss</source>
        <translation>正在测量留出集损失</translation>
    </message>
    <message>
        <source>Scoring the baseline</source>
        <translation>正在评估基线</translation>
    </message>
    <message>
        <source>Scoring submissions</source>
        <translation>正在为提交评分</translation>
    </message>
    <message>
        <source>Verifying submissions</source>
        <translation>正在验证提交</translation>
    </message>
    <message>
        <source>Generating data</source>
        <translation>正在生成数据</translation>
    </message>
    <message>
        <source>Evaluating</source>
        <translation>正在评估</translation>
    </message>
    <message>
        <source>Writing</source>
        <translation>正在写入</translation>
    </message>
    <message>
        <source>Checking the model fingerprint</source>
        <translation>正在检查模型指纹</translation>
    </message>
</context>
<context>
    <name>teft::ui::AboutDialog</name>
    <message>
        <source>About TEFT Studio</source>
        <translation>关于 TEFT Studio</translation>
    </message>
    <message>
        <source>&lt;h2&gt;TEFT Studio %1&lt;/h2&gt;&lt;p&gt;Targeted Expert Fine-Tuning for Mixture-of-Experts language models: find the experts a domain is routed to, train only those, score miners&apos; submissions by held-out loss, and merge the result back into the full model.&lt;/p&gt;&lt;p&gt;Engine: LibTorch %2, Qt %3, %4 CPU threads.&lt;/p&gt;</source>
        <translation>&lt;h2&gt;TEFT Studio %1&lt;/h2&gt;&lt;p&gt;面向混合专家（MoE）语言模型的定向专家微调：找出某一领域被路由到的专家，只训练这些专家，按留出集损失为矿工的提交评分，并将结果合并回完整模型。&lt;/p&gt;&lt;p&gt;引擎：LibTorch %2，Qt %3，%4 个 CPU 线程。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>teft::ui::DatasetPage</name>
    <message>
        <source>Target data</source>
        <translation>目标数据</translation>
    </message>
    <message>
        <source>The text the experts should get better at: JSON Lines, CSV/TSV or plain text files, or folders of them.</source>
        <translation>希望专家提升表现的文本：JSON Lines、CSV/TSV 或纯文本文件，或包含这些文件的文件夹。</translation>
    </message>
    <message>
        <source>Add &amp;files…</source>
        <translation>添加文件(&amp;F)…</translation>
    </message>
    <message>
        <source>Add f&amp;older…</source>
        <translation>添加文件夹(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>移除(&amp;R)</translation>
    </message>
    <message>
        <source>Use &amp;demo data</source>
        <translation>使用演示数据(&amp;D)</translation>
    </message>
    <message>
        <source>Write a small generated corpus (source code) into the data directory</source>
        <translation>将一个小型生成语料（源代码）写入数据目录</translation>
    </message>
    <message>
        <source>Detect</source>
        <translation>自动检测</translation>
    </message>
    <message>
        <source>JSON Lines</source>
        <translation>JSON Lines</translation>
    </message>
    <message>
        <source>Plain text</source>
        <translation>纯文本</translation>
    </message>
    <message>
        <source>CSV</source>
        <translation>CSV</translation>
    </message>
    <message>
        <source>TSV</source>
        <translation>TSV</translation>
    </message>
    <message>
        <source>text (or chat “messages”)</source>
        <translation>text（或对话格式的 “messages”）</translation>
    </message>
    <message>
        <source>JSON Lines: the field with the text (nested with dots). CSV/TSV: the column name.</source>
        <translation>JSON Lines：包含文本的字段（嵌套字段用点号分隔）。CSV/TSV：列名。</translation>
    </message>
    <message>
        <source>Share of the documents kept aside for validation (proof of loss)</source>
        <translation>留作验证（损失证明）的文档比例</translation>
    </message>
    <message>
        <source>Files:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>格式：</translation>
    </message>
    <message>
        <source>Text field:</source>
        <translation>文本字段：</translation>
    </message>
    <message>
        <source>Held-out fraction:</source>
        <translation>留出比例：</translation>
    </message>
    <message>
        <source>Add data files</source>
        <translation>添加数据文件</translation>
    </message>
    <message>
        <source>Data (*.jsonl *.ndjson *.json *.txt *.md *.csv *.tsv);;All files (*)</source>
        <translation>数据 (*.jsonl *.ndjson *.json *.txt *.md *.csv *.tsv);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Add a data folder</source>
        <translation>添加数据文件夹</translation>
    </message>
    <message>
        <source>Add files or a folder to see the first records.</source>
        <translation>添加文件或文件夹以查看前几条记录。</translation>
    </message>
    <message>
        <source>Token counts unavailable: %1</source>
        <translation>词元数量不可用：%1</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s)</source>
        <translation>
            <numerusform>%n 个文件</numerusform>
        </translation>
    </message>
    <message>
        <source>read as %1</source>
        <translation>按 %1 读取</translation>
    </message>
    <message>
        <source>no usable record: check the format and the text field</source>
        <translation>没有可用的记录：请检查格式和文本字段</translation>
    </message>
</context>
<context>
    <name>teft::ui::DatasetPreviewModel</name>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>词元数</translation>
    </message>
</context>
<context>
    <name>teft::ui::DemoProjectController</name>
    <message>
        <source>Cannot open the demo</source>
        <translation>无法打开演示</translation>
    </message>
</context>
<context>
    <name>teft::ui::DevicePage</name>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Where expert identification and training run. The choice can be changed per job.</source>
        <translation>专家识别和训练在何处运行。可针对每个任务单独更改。</translation>
    </message>
    <message>
        <source>&amp;CPU</source>
        <translation>CPU(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;GPU (CUDA)</source>
        <translation>GPU (CUDA)(&amp;G)</translation>
    </message>
    <message>
        <source>No CUDA device found, or this build of the engine is CPU-only</source>
        <translation>未找到 CUDA 设备，或此版本的引擎仅支持 CPU</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Memory: %1 total, %2 free</source>
        <translation>内存：共 %1，可用 %2</translation>
    </message>
</context>
<context>
    <name>teft::ui::ErrorAdvice</name>
    <message>
        <source>Lower the batch size or the sequence length, choose masked routing so that only the selected experts are held, select fewer experts, or use bf16.</source>
        <translation>请减小批大小或序列长度，选择掩码路由以便只保留所选专家，减少所选专家数量，或改用 bf16。</translation>
    </message>
    <message>
        <source>Lower the learning rate (1e-5 is a safe start) or switch from fp16 to bf16.</source>
        <translation>请降低学习率（1e-5 是稳妥的起点），或从 fp16 切换到 bf16。</translation>
    </message>
    <message>
        <source>Choose the CPU as device, or check the GPU driver.</source>
        <translation>请选择 CPU 作为设备，或检查 GPU 驱动程序。</translation>
    </message>
    <message>
        <source>Free some disk space, or choose a folder you may write to, then start again.</source>
        <translation>请释放一些磁盘空间，或选择一个有写入权限的文件夹，然后重新开始。</translation>
    </message>
    <message>
        <source>Check the network connection and the address of the other side, then try again.</source>
        <translation>请检查网络连接和对方的地址，然后重试。</translation>
    </message>
    <message>
        <source>The file named in the message is damaged or not in the expected format: replace it or choose another one.</source>
        <translation>消息中提到的文件已损坏或格式不符：请替换它或选择其他文件。</translation>
    </message>
    <message>
        <source>Correct the value named in the message, then start again.</source>
        <translation>请更正消息中提到的值，然后重新开始。</translation>
    </message>
    <message>
        <source>Check the settings and the log for details, then start again.</source>
        <translation>请检查设置和日志以了解详情，然后重新开始。</translation>
    </message>
</context>
<context>
    <name>teft::ui::JobsPage</name>
    <message>
        <source>&amp;Open output folder</source>
        <translation>打开输出文件夹(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>继续(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Clone settings</source>
        <translation>克隆设置(&amp;C)</translation>
    </message>
    <message>
        <source>Start a new job of the same kind with the same settings</source>
        <translation>以相同设置启动一个同类型的新任务</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>刷新(&amp;F)</translation>
    </message>
    <message>
        <source>Jobs of this machine, from the desktop application and from the teft command line</source>
        <translation>本机的任务，包括来自桌面应用程序和 teft 命令行的任务</translation>
    </message>
    <message>
        <source>Continue an interrupted or cancelled training job from its last checkpoint</source>
        <translation>从最近的检查点继续被中断或已取消的训练任务</translation>
    </message>
</context>
<context>
    <name>teft::ui::JobsTableModel</name>
    <message>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>succeeded</source>
        <translation>已成功</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>已失败</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <source>Process %1 on %2</source>
        <translation>%2 上的进程 %1</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
</context>
<context>
    <name>teft::ui::LiveChart</name>
    <message>
        <source>Step</source>
        <translation>步数</translation>
    </message>
</context>
<context>
    <name>teft::ui::LogDock</name>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation>显示：</translation>
    </message>
    <message>
        <source>Debug and above</source>
        <translation>调试及以上</translation>
    </message>
    <message>
        <source>Info and above</source>
        <translation>信息及以上</translation>
    </message>
    <message>
        <source>Warnings and errors</source>
        <translation>警告和错误</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
</context>
<context>
    <name>teft::ui::MainWindow</name>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Experts</source>
        <translation>专家</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Validate</source>
        <translation>验证</translation>
    </message>
    <message>
        <source>Merge</source>
        <translation>合并</translation>
    </message>
    <message>
        <source>Jobs</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>TEFT Studio</source>
        <translation>TEFT Studio</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;New Project…</source>
        <translation>新建项目(&amp;N)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>Ctrl+L</source>
        <translation>Ctrl+L</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About TEFT Studio</source>
        <translation>关于 TEFT Studio(&amp;A)</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>关于 Qt(&amp;Q)</translation>
    </message>
    <message>
        <source>Device: %1 (%2)</source>
        <translation>设备：%1（%2）</translation>
    </message>
    <message>
        <source>Device: %1</source>
        <translation>设备：%1</translation>
    </message>
    <message>
        <source>Data: %1</source>
        <translation>数据：%1</translation>
    </message>
    <message>
        <source>Cannot use this job</source>
        <translation>无法使用此任务</translation>
    </message>
    <message>
        <source>No project open</source>
        <translation>未打开项目</translation>
    </message>
    <message>
        <source>Project: %1</source>
        <translation>项目：%1</translation>
    </message>
    <message>
        <source>Cannot repeat this job here</source>
        <translation>无法在此重复此任务</translation>
    </message>
    <message>
        <source>This “%1” job does not belong to a project of this application; run it again with the teft command line.</source>
        <translation>此“%1”任务不属于本应用的任何项目；请使用 teft 命令行重新运行。</translation>
    </message>
</context>
<context>
    <name>teft::ui::MergeComparisonModel</name>
    <message>
        <source>in-domain</source>
        <translation>领域内</translation>
    </message>
    <message>
        <source>out-of-domain</source>
        <translation>领域外</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>Domain</source>
        <translation>领域</translation>
    </message>
    <message>
        <source>Loss before</source>
        <translation>合并前损失</translation>
    </message>
    <message>
        <source>Loss after</source>
        <translation>合并后损失</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>变化</translation>
    </message>
</context>
<context>
    <name>teft::ui::MergeController</name>
    <message>
        <source>dataset</source>
        <translation>数据集</translation>
    </message>
    <message numerus="yes">
        <source>%1 and %n more</source>
        <translation>
            <numerusform>%1 及另外 %n 个</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 (target, held-out)</source>
        <translation>%1（目标，留出集）</translation>
    </message>
    <message>
        <source>%1 (reference, held-out)</source>
        <translation>%1（参考，留出集）</translation>
    </message>
    <message>
        <source>No validator round has been applied yet: score submissions on the Validate page and run an outer step first.</source>
        <translation>尚未应用任何验证轮次：请先在“验证”页面为提交评分并执行外层步骤。</translation>
    </message>
    <message>
        <source>Merges the validator&apos;s current Φ into %1.</source>
        <translation>将验证者当前的 Φ 合并到 %1。</translation>
    </message>
</context>
<context>
    <name>teft::ui::MergePage</name>
    <message>
        <source>Folder for the merged checkpoint</source>
        <translation>合并后检查点的文件夹</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <source>&amp;Merge</source>
        <translation>合并(&amp;M)</translation>
    </message>
    <message>
        <source>Write Φ back into the base model at the selected experts, in the base model&apos;s own layout</source>
        <translation>将 Φ 写回基础模型中所选专家的位置，并保持基础模型自身的布局</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>取消(&amp;C)</translation>
    </message>
    <message>
        <source>Choose where to write the merged checkpoint.</source>
        <translation>选择合并后检查点的写入位置。</translation>
    </message>
    <message>
        <source>Output folder:</source>
        <translation>输出文件夹：</translation>
    </message>
    <message>
        <source>Losses before and after the merge: in-domain should fall, out-of-domain stay flat.</source>
        <translation>合并前后的损失：领域内损失应下降，领域外损失应基本不变。</translation>
    </message>
    <message>
        <source>code (held-out)</source>
        <translation>代码（留出集）</translation>
    </message>
    <message>
        <source>records (held-out)</source>
        <translation>记录（留出集）</translation>
    </message>
    <message>
        <source>prose (general)</source>
        <translation>文章（通用）</translation>
    </message>
    <message>
        <source>logs (general)</source>
        <translation>日志（通用）</translation>
    </message>
    <message>
        <source>Choose an output folder first.</source>
        <translation>请先选择输出文件夹。</translation>
    </message>
    <message>
        <source>Merging into %1…</source>
        <translation>正在合并到 %1…</translation>
    </message>
    <message>
        <source>%1: %2 of %3</source>
        <translation>%1：%2 / %3</translation>
    </message>
    <message>
        <source>Cancelled; nothing was written.</source>
        <translation>已取消；未写入任何内容。</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <source>Merge failed</source>
        <translation>合并失败</translation>
    </message>
    <message>
        <source>Check that the output folder is writable and has room for the whole model.</source>
        <translation>请检查输出文件夹是否可写，并有足够空间容纳整个模型。</translation>
    </message>
    <message>
        <source>Merged checkpoint written to %1.</source>
        <translation>合并后的检查点已写入 %1。</translation>
    </message>
    <message>
        <source>Example results. Open a project to merge its trained experts into the base model.</source>
        <translation>示例结果。打开一个项目，将其训练好的专家合并回基础模型。</translation>
    </message>
    <message>
        <source>Open a project to merge its trained experts into the base model</source>
        <translation>打开一个项目，将其训练好的专家合并回基础模型</translation>
    </message>
    <message>
        <source>Open a project to merge its trained experts into the base model.</source>
        <translation>打开一个项目，将其训练好的专家合并回基础模型。</translation>
    </message>
</context>
<context>
    <name>teft::ui::MinerController</name>
    <message>
        <source>Open or create a project (and select its experts) to train.</source>
        <translation>请打开或创建一个项目（并选择其专家）以进行训练。</translation>
    </message>
    <message>
        <source>Cannot train</source>
        <translation>无法训练</translation>
    </message>
    <message>
        <source>No expert selection</source>
        <translation>没有专家选择</translation>
    </message>
    <message>
        <source>This project has no saved expert selection for its model. Run identification on the Experts page, choose the experts and press “Save to project”.</source>
        <translation>此项目尚未为其模型保存专家选择。请在“专家”页面运行识别，选择专家，然后点击“保存到项目”。</translation>
    </message>
    <message>
        <source>Project “%1”: press Start to train its saved expert selection.</source>
        <translation>项目“%1”：点击“开始”以训练其已保存的专家选择。</translation>
    </message>
    <message>
        <source>Settings copied from a recorded job: press Start to train with them.</source>
        <translation>已从记录的任务复制设置：点击“开始”以使用这些设置进行训练。</translation>
    </message>
</context>
<context>
    <name>teft::ui::MinerDashboard</name>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>GPU (cuda:0)</source>
        <translation>GPU (cuda:0)</translation>
    </message>
    <message>
        <source>Inner steps H before the submission (DiLoCo uses 500)</source>
        <translation>提交前的内部步数 H（DiLoCo 使用 500）</translation>
    </message>
    <message>
        <source>Inner AdamW learning rate, e.g. 1e-5 (Connito, ESFT) to 4e-4</source>
        <translation>内部 AdamW 学习率，例如 1e-5（Connito、ESFT）至 4e-4</translation>
    </message>
    <message>
        <source>bf16 mixed precision</source>
        <translation>bf16 混合精度</translation>
    </message>
    <message>
        <source>fp16 mixed precision</source>
        <translation>fp16 混合精度</translation>
    </message>
    <message>
        <source>fp32</source>
        <translation>fp32</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从不</translation>
    </message>
    <message>
        <source> steps</source>
        <translation> 步</translation>
    </message>
    <message>
        <source>Masked (only selected experts, less memory)</source>
        <translation>掩码（仅所选专家，占用内存更少）</translation>
    </message>
    <message>
        <source>Full (base routing, all experts computed)</source>
        <translation>完整（基础路由，计算所有专家）</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>设备：</translation>
    </message>
    <message>
        <source>Inner steps (H):</source>
        <translation>内部步数（H）：</translation>
    </message>
    <message>
        <source>Learning rate:</source>
        <translation>学习率：</translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation>批大小：</translation>
    </message>
    <message>
        <source>Sequence length:</source>
        <translation>序列长度：</translation>
    </message>
    <message>
        <source>Precision:</source>
        <translation>精度：</translation>
    </message>
    <message>
        <source>Checkpoint every:</source>
        <translation>检查点间隔：</translation>
    </message>
    <message>
        <source>Routing:</source>
        <translation>路由：</translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation>开始(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>暂停(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>继续(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>取消(&amp;C)</translation>
    </message>
    <message>
        <source>%v / %m steps</source>
        <translation>%v / %m 步</translation>
    </message>
    <message>
        <source>Ready.</source>
        <translation>就绪。</translation>
    </message>
    <message>
        <source>Training loss</source>
        <translation>训练损失</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>Smoothed</source>
        <translation>平滑后</translation>
    </message>
    <message>
        <source>Validation loss</source>
        <translation>验证损失</translation>
    </message>
    <message>
        <source>Held-out loss</source>
        <translation>留出集损失</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Throughput</source>
        <translation>吞吐量</translation>
    </message>
    <message>
        <source>Tokens/s</source>
        <translation>词元/秒</translation>
    </message>
    <message>
        <source>Tokens per second</source>
        <translation>每秒词元数</translation>
    </message>
    <message>
        <source>Exponential moving average of the training loss</source>
        <translation>训练损失的指数移动平均</translation>
    </message>
    <message>
        <source>Smoothing:</source>
        <translation>平滑：</translation>
    </message>
    <message>
        <source>The learning rate “%1” is not a positive number.</source>
        <translation>学习率“%1”不是正数。</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <source>Elapsed %1, about %2 left</source>
        <translation>已用时 %1，剩余约 %2</translation>
    </message>
    <message>
        <source>Step %1 of %2: loss %3, %4 tokens/s</source>
        <translation>第 %1 步，共 %2 步：损失 %3，%4 词元/秒</translation>
    </message>
    <message>
        <source>Finished after %1 steps, final loss %2.</source>
        <translation>已完成 %1 步，最终损失 %2。</translation>
    </message>
    <message>
        <source>Submission: %1 (%2)</source>
        <translation>提交：%1（%2）</translation>
    </message>
    <message>
        <source>Check the settings and the log for details, then start again; the last checkpoint is kept.</source>
        <translation>请查看设置和日志了解详情，然后重新开始；最近的检查点会被保留。</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <source>Training failed</source>
        <translation>训练失败</translation>
    </message>
    <message>
        <source>Paused.</source>
        <translation>已暂停。</translation>
    </message>
    <message>
        <source>Cancelled at step %1.</source>
        <translation>已在第 %1 步取消。</translation>
    </message>
    <message>
        <source>Measure the loss on the held-out rows every this many steps (and after the last)</source>
        <translation>每隔这么多步（以及最后一步之后）在留出行上测量损失</translation>
    </message>
    <message>
        <source>Validate every:</source>
        <translation>验证间隔：</translation>
    </message>
    <message>
        <source>Example curves (no model is loaded). Open a project and select its experts to train.</source>
        <translation>示例曲线（未加载模型）。打开一个项目并选择其专家以进行训练。</translation>
    </message>
    <message>
        <source>Open or create a project (and select its experts) to train.</source>
        <translation>请打开或创建一个项目（并选择其专家）以进行训练。</translation>
    </message>
</context>
<context>
    <name>teft::ui::ModelPage</name>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Choose a Mixture-of-Experts checkpoint folder (config.json, safetensors, tokenizer.json).</source>
        <translation>选择一个混合专家（MoE）模型的检查点文件夹（config.json、safetensors、tokenizer.json）。</translation>
    </message>
    <message>
        <source>My TEFT project</source>
        <translation>我的 TEFT 项目</translation>
    </message>
    <message>
        <source>Folder with config.json and *.safetensors</source>
        <translation>包含 config.json 和 *.safetensors 的文件夹</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <source>Use the &amp;demo model</source>
        <translation>使用演示模型(&amp;D)</translation>
    </message>
    <message>
        <source>Family:</source>
        <translation>模型系列：</translation>
    </message>
    <message>
        <source>Layers:</source>
        <translation>层数：</translation>
    </message>
    <message>
        <source>Experts per layer:</source>
        <translation>每层专家数：</translation>
    </message>
    <message>
        <source>Experts per token:</source>
        <translation>每词元专家数：</translation>
    </message>
    <message>
        <source>Parameters:</source>
        <translation>参数量：</translation>
    </message>
    <message>
        <source>Data type:</source>
        <translation>数据类型：</translation>
    </message>
    <message>
        <source>Size on disk:</source>
        <translation>磁盘占用：</translation>
    </message>
    <message>
        <source>One expert:</source>
        <translation>单个专家：</translation>
    </message>
    <message>
        <source>Project name:</source>
        <translation>项目名称：</translation>
    </message>
    <message>
        <source>Model folder:</source>
        <translation>模型文件夹：</translation>
    </message>
    <message>
        <source>Choose the model folder</source>
        <translation>选择模型文件夹</translation>
    </message>
    <message>
        <source>%1 has a config.json but no *.safetensors weights.</source>
        <translation>%1 包含 config.json，但没有 *.safetensors 权重文件。</translation>
    </message>
    <message>
        <source>%1 (%2 with experts)</source>
        <translation>%1（其中 %2 层含专家）</translation>
    </message>
    <message>
        <source>%1 total, %2 active per token</source>
        <translation>共 %1，每词元激活 %2</translation>
    </message>
    <message numerus="yes">
        <source>%1 in %n file(s)</source>
        <translation>
            <numerusform>%1，共 %n 个文件</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 parameters, %2</source>
        <translation>%1 个参数，%2</translation>
    </message>
    <message>
        <source>The built-in demo foundation model: a small Qwen3-MoE pretrained on the demo corpus (built once in the data directory, a few minutes on two cores; no download)</source>
        <translation>内置演示基础模型：在演示语料上预训练的小型 Qwen3-MoE（在数据目录中构建一次，双核上需几分钟；无需下载）</translation>
    </message>
    <message>
        <source>Cannot build the demo model: %1</source>
        <translation>无法构建演示模型：%1</translation>
    </message>
</context>
<context>
    <name>teft::ui::PolicyPanel</name>
    <message>
        <source>Top-k per layer</source>
        <translation>每层 Top-k</translation>
    </message>
    <message>
        <source>Top-p per layer (ESFT)</source>
        <translation>每层 Top-p（ESFT）</translation>
    </message>
    <message>
        <source>Global budget</source>
        <translation>全局预算</translation>
    </message>
    <message>
        <source>How experts are picked from the metric shown in the heatmap</source>
        <translation>如何根据热力图中显示的指标挑选专家</translation>
    </message>
    <message>
        <source>Experts kept in every MoE layer</source>
        <translation>每个 MoE 层保留的专家数</translation>
    </message>
    <message>
        <source>Per layer, experts are added best first until their cumulative share reaches p</source>
        <translation>在每一层中按得分从高到低依次加入专家，直到其累计占比达到 p</translation>
    </message>
    <message>
        <source>no limit</source>
        <translation>无限制</translation>
    </message>
    <message>
        <source> MiB</source>
        <translation> MiB</translation>
    </message>
    <message>
        <source>Largest submission: the selected experts&apos; bytes</source>
        <translation>最大提交大小：所选专家的字节数</translation>
    </message>
    <message>
        <source>Experts per layer:</source>
        <translation>每层专家数：</translation>
    </message>
    <message>
        <source>Cumulative share p:</source>
        <translation>累计占比 p：</translation>
    </message>
    <message>
        <source>Maximum experts:</source>
        <translation>最大专家数：</translation>
    </message>
    <message>
        <source>Maximum size:</source>
        <translation>最大大小：</translation>
    </message>
    <message>
        <source>Only experts with a positive score</source>
        <translation>仅限得分为正的专家</translation>
    </message>
    <message>
        <source>Apply while editing</source>
        <translation>编辑时即时应用</translation>
    </message>
    <message>
        <source>&amp;Apply policy</source>
        <translation>应用策略(&amp;A)</translation>
    </message>
    <message>
        <source>Policy:</source>
        <translation>策略：</translation>
    </message>
    <message>
        <source>Top-%1 per layer</source>
        <translation>每层 Top-%1</translation>
    </message>
    <message>
        <source>Top-p %1 per layer</source>
        <translation>每层 Top-p %1</translation>
    </message>
</context>
<context>
    <name>teft::ui::ProjectWizard</name>
    <message>
        <source>New TEFT project</source>
        <translation>新建 TEFT 项目</translation>
    </message>
    <message>
        <source>Cannot save the project</source>
        <translation>无法保存项目</translation>
    </message>
    <message>
        <source>%1

Check the data directory in the settings.</source>
        <translation>%1

请在设置中检查数据目录。</translation>
    </message>
</context>
<context>
    <name>teft::ui::RoutingController</name>
    <message>
        <source>Identification failed</source>
        <translation>识别失败</translation>
    </message>
    <message>
        <source>Open the saved selection</source>
        <translation>打开已保存的选择</translation>
    </message>
    <message>
        <source>Nothing to save</source>
        <translation>没有可保存的内容</translation>
    </message>
    <message>
        <source>The selection is empty. Select experts on the heatmap or with a policy first.</source>
        <translation>选择为空。请先在热力图上或通过策略选择专家。</translation>
    </message>
    <message>
        <source>Cannot save the selection</source>
        <translation>无法保存选择</translation>
    </message>
</context>
<context>
    <name>teft::ui::RoutingHeatmap</name>
    <message>
        <source>No routing statistics yet: run expert identification or open a statistics file.</source>
        <translation>尚无路由统计：请运行专家识别，或打开统计文件。</translation>
    </message>
    <message>
        <source>L\E</source>
        <translation>L\E</translation>
    </message>
</context>
<context>
    <name>teft::ui::RoutingHeatmapModel</name>
    <message>
        <source>The reference statistics have %1 MoE layers × %2 experts, the target has %3 × %4: both must come from the same model.</source>
        <translation>参考统计为 %1 个 MoE 层 × %2 个专家，目标为 %3 × %4：两者必须来自同一模型。</translation>
    </message>
    <message>
        <source>The metric “%1” needs reference statistics: load a reference dataset first.</source>
        <translation>指标“%1”需要参考统计：请先加载参考数据集。</translation>
    </message>
    <message>
        <source>Token share</source>
        <translation>词元占比</translation>
    </message>
    <message>
        <source>Gate score</source>
        <translation>门控得分</translation>
    </message>
    <message>
        <source>Contrast (difference)</source>
        <translation>对比（差值）</translation>
    </message>
    <message>
        <source>Contrast (log ratio)</source>
        <translation>对比（对数比）</translation>
    </message>
    <message>
        <source>Layer %1, expert %2</source>
        <translation>第 %1 层，专家 %2</translation>
    </message>
    <message>
        <source>Tokens routed: %1 of %2</source>
        <translation>路由到的词元：%1 / %2</translation>
    </message>
    <message>
        <source>Gate mass: %1</source>
        <translation>门控权重总和：%1</translation>
    </message>
    <message>
        <source>Token share: %1</source>
        <translation>词元占比：%1</translation>
    </message>
    <message>
        <source>Gate score: %1</source>
        <translation>门控得分：%1</translation>
    </message>
    <message>
        <source>Reference token share: %1</source>
        <translation>参考词元占比：%1</translation>
    </message>
    <message>
        <source>Contrast (difference): %1</source>
        <translation>对比（差值）：%1</translation>
    </message>
    <message>
        <source>Contrast (log ratio): %1</source>
        <translation>对比（对数比）：%1</translation>
    </message>
    <message>
        <source>Selected for training</source>
        <translation>已选用于训练</translation>
    </message>
    <message>
        <source>Not selected</source>
        <translation>未选择</translation>
    </message>
    <message>
        <source>Expert %1</source>
        <translation>专家 %1</translation>
    </message>
    <message>
        <source>Model layer %1</source>
        <translation>模型第 %1 层</translation>
    </message>
</context>
<context>
    <name>teft::ui::RoutingPage</name>
    <message>
        <source>What the colours show. The contrast metrics compare the target data with a reference dataset: experts hot on the target only stand out.</source>
        <translation>颜色所表示的指标。对比指标将目标数据与参考数据集进行比较：仅在目标数据上活跃的专家会被突出显示。</translation>
    </message>
    <message>
        <source>Open statistics…</source>
        <translation>打开统计…</translation>
    </message>
    <message>
        <source>Open routing statistics written by expert identification</source>
        <translation>打开由专家识别生成的路由统计</translation>
    </message>
    <message>
        <source>Open reference…</source>
        <translation>打开参考…</translation>
    </message>
    <message>
        <source>Routing statistics of general text, for the contrast metrics</source>
        <translation>通用文本的路由统计，用于对比指标</translation>
    </message>
    <message>
        <source>Metric:</source>
        <translation>指标：</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>适应窗口</translation>
    </message>
    <message>
        <source>Fit all cells in the view</source>
        <translation>使所有单元格适应视图</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Undo: %1</source>
        <translation>撤销：%1</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <source>Redo: %1</source>
        <translation>重做：%1</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>Deselect every expert</source>
        <translation>取消选择所有专家</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <source>Read a selection file (TEFT, Connito expert assignment or ESFT expert config)</source>
        <translation>读取专家选择文件（TEFT、Connito 专家分配或 ESFT 专家配置）</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Write the selection as a TEFT, Connito or ESFT file</source>
        <translation>将专家选择写入 TEFT、Connito 或 ESFT 文件</translation>
    </message>
    <message>
        <source>Automatic selection</source>
        <translation>自动选择</translation>
    </message>
    <message>
        <source>Selection</source>
        <translation>选择结果</translation>
    </message>
    <message>
        <source>Experts selected:</source>
        <translation>已选专家：</translation>
    </message>
    <message>
        <source>Trainable parameters:</source>
        <translation>可训练参数：</translation>
    </message>
    <message>
        <source>Bytes per submission:</source>
        <translation>每次提交字节数：</translation>
    </message>
    <message>
        <source>Share of the model:</source>
        <translation>占模型比例：</translation>
    </message>
    <message>
        <source>Metric not available</source>
        <translation>指标不可用</translation>
    </message>
    <message>
        <source>Layer %1, expert %2: %3 = %4</source>
        <translation>第 %1 层，专家 %2：%3 = %4</translation>
    </message>
    <message>
        <source>Routing of %1 MoE layers × %2 experts (top-%3) over “%4”, %5 tokens</source>
        <translation>“%4”上 %1 个 MoE 层 × %2 个专家（Top-%3）的路由，共 %5 个词元</translation>
    </message>
    <message>
        <source>%1 (%2 of %3 layers)</source>
        <translation>%1（分布于 %3 层中的 %2 层）</translation>
    </message>
    <message>
        <source>unknown (no model)</source>
        <translation>未知（无模型）</translation>
    </message>
    <message>
        <source>Open routing statistics</source>
        <translation>打开路由统计</translation>
    </message>
    <message>
        <source>Routing statistics (*.json);;All files (*)</source>
        <translation>路由统计 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Cannot open routing statistics</source>
        <translation>无法打开路由统计</translation>
    </message>
    <message>
        <source>%1

Choose a file written by expert identification (teft identify).</source>
        <translation>%1

请选择由专家识别（teft identify）生成的文件。</translation>
    </message>
    <message>
        <source>Open reference statistics</source>
        <translation>打开参考统计</translation>
    </message>
    <message>
        <source>Cannot use these reference statistics</source>
        <translation>无法使用这些参考统计</translation>
    </message>
    <message>
        <source>%1

The reference must be identified with the same model on general text.</source>
        <translation>%1

参考统计必须由同一模型在通用文本上识别得到。</translation>
    </message>
    <message>
        <source>Import expert selection</source>
        <translation>导入专家选择</translation>
    </message>
    <message>
        <source>Selection files (*.json);;All files (*)</source>
        <translation>专家选择文件 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Cannot import the selection</source>
        <translation>无法导入专家选择</translation>
    </message>
    <message>
        <source>TEFT selection (*.json)</source>
        <translation>TEFT 专家选择 (*.json)</translation>
    </message>
    <message>
        <source>Connito expert assignment (*.json)</source>
        <translation>Connito 专家分配 (*.json)</translation>
    </message>
    <message>
        <source>ESFT expert config (*.json)</source>
        <translation>ESFT 专家配置 (*.json)</translation>
    </message>
    <message>
        <source>Export expert selection</source>
        <translation>导出专家选择</translation>
    </message>
    <message>
        <source>selection.json</source>
        <translation>selection.json</translation>
    </message>
    <message>
        <source>Cannot export the selection</source>
        <translation>无法导出专家选择</translation>
    </message>
    <message>
        <source>%1

Choose a folder you can write to.</source>
        <translation>%1

请选择一个可写入的文件夹。</translation>
    </message>
    <message>
        <source>Run identification</source>
        <translation>运行识别</translation>
    </message>
    <message>
        <source>Run the project&apos;s model over its target data (and reference data) and record which experts the tokens are routed to</source>
        <translation>在项目的目标数据（及参考数据）上运行模型，并记录词元被路由到哪些专家</translation>
    </message>
    <message>
        <source>Save to project</source>
        <translation>保存到项目</translation>
    </message>
    <message>
        <source>Save this selection as the project&apos;s target expert set (training uses it)</source>
        <translation>将此选择保存为项目的目标专家集合（训练将使用它）</translation>
    </message>
</context>
<context>
    <name>teft::ui::SelectionDocument</name>
    <message>
        <source>Clear selection</source>
        <translation>清除选择</translation>
    </message>
    <message>
        <source>Cannot import %1: %2</source>
        <translation>无法导入 %1：%2</translation>
    </message>
    <message>
        <source>The selection in %1 does not fit this model:
%2</source>
        <translation>%1 中的专家选择与此模型不匹配：
%2</translation>
    </message>
    <message>
        <source>Import %1</source>
        <translation>导入 %1</translation>
    </message>
</context>
<context>
    <name>teft::ui::SelectionSummaryModel</name>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Experts</source>
        <translation>专家</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Bytes</source>
        <translation>字节</translation>
    </message>
</context>
<context>
    <name>teft::ui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Automatic (GPU when available)</source>
        <translation>自动（有 GPU 时使用 GPU）</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Compute device:</source>
        <translation>计算设备：</translation>
    </message>
    <message>
        <source>All cores (%1)</source>
        <translation>所有核心（%1）</translation>
    </message>
    <message>
        <source>CPU threads:</source>
        <translation>CPU 线程数：</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Data directory:</source>
        <translation>数据目录：</translation>
    </message>
    <message>
        <source>Choose the data directory</source>
        <translation>选择数据目录</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>系统语言</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <source>A new data directory or language takes effect after a restart.</source>
        <translation>新的数据目录或语言将在重启后生效。</translation>
    </message>
    <message>
        <source>%1 is a file, not a directory.</source>
        <translation>%1 是文件，不是目录。</translation>
    </message>
    <message>
        <source>System</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>Appearance:</source>
        <translation>外观：</translation>
    </message>
</context>
<context>
    <name>teft::ui::StartPage</name>
    <message>
        <source>&lt;h1&gt;TEFT Studio&lt;/h1&gt;</source>
        <translation>&lt;h1&gt;TEFT Studio&lt;/h1&gt;</translation>
    </message>
    <message>
        <source>Adapt a Mixture-of-Experts model to a new domain by training only the experts its tokens are routed to. 1. Load a model and a dataset. 2. See the routing and choose the experts. 3. Train them as a miner, or score miners&apos; submissions as a validator. 4. Merge the result into a full checkpoint.</source>
        <translation>只训练新领域的词元所路由到的专家，使混合专家模型适应该领域。1. 加载模型和数据集。2. 查看路由并选择专家。3. 作为矿工训练这些专家，或作为验证者为矿工的提交评分。4. 将结果合并为完整的检查点。</translation>
    </message>
    <message>
        <source>New Project…</source>
        <translation>新建项目…</translation>
    </message>
    <message>
        <source>Open the Built-in Demo</source>
        <translation>打开内置演示</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Recent projects&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;最近的项目&lt;/h3&gt;</translation>
    </message>
    <message>
        <source>No projects yet. Create one, or open the built-in demo.</source>
        <translation>尚无项目。请新建项目，或打开内置演示。</translation>
    </message>
    <message>
        <source>%1 — %2 (last used %3)</source>
        <translation>%1 — %2（上次使用：%3）</translation>
    </message>
</context>
<context>
    <name>teft::ui::SubmissionTableModel</name>
    <message>
        <source>verified</source>
        <translation>已校验</translation>
    </message>
    <message>
        <source>refused: %1</source>
        <translation>未通过：%1</translation>
    </message>
    <message>
        <source>yes (override)</source>
        <translation>是（手动覆盖）</translation>
    </message>
    <message>
        <source>no (override)</source>
        <translation>否（手动覆盖）</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>s = ReLU(base loss − new loss)</source>
        <translation>s = ReLU(基础损失 − 新损失)</translation>
    </message>
    <message>
        <source>Miner</source>
        <translation>矿工</translation>
    </message>
    <message>
        <source>Verification</source>
        <translation>校验</translation>
    </message>
    <message>
        <source>Base loss</source>
        <translation>基础损失</translation>
    </message>
    <message>
        <source>New loss</source>
        <translation>新损失</translation>
    </message>
    <message>
        <source>s_i</source>
        <translation>s_i</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>排名</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>已接受</translation>
    </message>
</context>
<context>
    <name>teft::ui::TaskProgressBar</name>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <source>Done.</source>
        <translation>完成。</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <source>Failed.</source>
        <translation>失败。</translation>
    </message>
</context>
<context>
    <name>teft::ui::ToggleExpertCommand</name>
    <message>
        <source>Deselect expert %1 of layer %2</source>
        <translation>取消选择第 %2 层的专家 %1</translation>
    </message>
    <message>
        <source>Select expert %1 of layer %2</source>
        <translation>选择第 %2 层的专家 %1</translation>
    </message>
</context>
<context>
    <name>teft::ui::ValidatorController</name>
    <message>
        <source>Cannot score the submissions</source>
        <translation>无法为提交评分</translation>
    </message>
    <message>
        <source>Open a project first.</source>
        <translation>请先打开一个项目。</translation>
    </message>
    <message>
        <source>This project has no expert selection: save an expert selection on the Experts page first.</source>
        <translation>此项目没有专家选择：请先在“专家”页面保存专家选择。</translation>
    </message>
    <message>
        <source>%1 is not a folder.</source>
        <translation>%1 不是文件夹。</translation>
    </message>
    <message>
        <source>Scoring failed</source>
        <translation>评分失败</translation>
    </message>
    <message>
        <source>Outer step failed</source>
        <translation>外层步骤失败</translation>
    </message>
    <message>
        <source>%1 is not a verified submission of this round.</source>
        <translation>%1 不是本轮已验证的提交。</translation>
    </message>
</context>
<context>
    <name>teft::ui::ValidatorPage</name>
    <message>
        <source>Top-k, equal weights</source>
        <translation>Top-k，等权重</translation>
    </message>
    <message>
        <source>Proportional to s_i</source>
        <translation>与 s_i 成正比</translation>
    </message>
    <message>
        <source>How many of the best-scoring submissions are averaged</source>
        <translation>对得分最高的多少个提交取平均</translation>
    </message>
    <message>
        <source>&amp;Accept selected</source>
        <translation>接受所选(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Reject selected</source>
        <translation>拒绝所选(&amp;R)</translation>
    </message>
    <message>
        <source>Clear overrides</source>
        <translation>清除手动覆盖</translation>
    </message>
    <message>
        <source>Run &amp;outer step</source>
        <translation>执行外部步骤(&amp;O)</translation>
    </message>
    <message>
        <source>Apply the weighted average of the accepted updates to Φ (SGD with Nesterov momentum)</source>
        <translation>将已接受更新的加权平均应用到 Φ（带 Nesterov 动量的 SGD）</translation>
    </message>
    <message>
        <source>Aggregation:</source>
        <translation>聚合方式：</translation>
    </message>
    <message>
        <source>k:</source>
        <translation>k：</translation>
    </message>
    <message>
        <source>Score s_i per miner</source>
        <translation>每个矿工的得分 s_i</translation>
    </message>
    <message>
        <source>Validation loss per round</source>
        <translation>每轮验证损失</translation>
    </message>
    <message>
        <source>Round</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>损失</translation>
    </message>
    <message numerus="yes">
        <source>Round %1: %n submission(s)</source>
        <translation>
            <numerusform>第 %1 轮：%n 个提交</numerusform>
        </translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>已接受</translation>
    </message>
    <message>
        <source>Not accepted</source>
        <translation>未接受</translation>
    </message>
    <message>
        <source>s_i</source>
        <translation>s_i</translation>
    </message>
    <message>
        <source>%1 accepted for aggregation, %2 refused by verification.</source>
        <translation>%1 个已接受用于聚合，%2 个未通过校验。</translation>
    </message>
    <message>
        <source>delta.safetensors holds NaN values in layers.3.experts.12.down_proj.</source>
        <translation>delta.safetensors 在 layers.3.experts.12.down_proj 中包含 NaN 值。</translation>
    </message>
    <message>
        <source>The signature of ember does not verify with its registered key.</source>
        <translation>ember 的签名无法用其注册的密钥校验。</translation>
    </message>
    <message>
        <source>Open submissions &amp;folder…</source>
        <translation>打开提交文件夹(&amp;F)…</translation>
    </message>
    <message>
        <source>Verify and score every submission in a folder against the project&apos;s current Φ</source>
        <translation>针对项目当前的 Φ 验证文件夹中的每个提交并评分</translation>
    </message>
    <message>
        <source>Folder of submissions</source>
        <translation>提交文件夹</translation>
    </message>
    <message>
        <source>Example round (no project open): open a project, then a folder of submissions to score</source>
        <translation>示例轮次（未打开项目）：请打开一个项目，然后打开要评分的提交文件夹</translation>
    </message>
    <message>
        <source>Held-out batches every submission is scored on (the same seeded batches for all)</source>
        <translation>每个提交评分所用的留出批次（所有提交使用相同的带种子批次）</translation>
    </message>
    <message>
        <source>Outer learning rate of the Nesterov step (DiLoCo: 0.7)</source>
        <translation>Nesterov 外层步骤的学习率（DiLoCo：0.7）</translation>
    </message>
    <message>
        <source>Outer momentum, kept across rounds (DiLoCo: 0.9)</source>
        <translation>外层动量，跨轮次保留（DiLoCo：0.9）</translation>
    </message>
    <message>
        <source>Held-out batches:</source>
        <translation>留出批次：</translation>
    </message>
    <message>
        <source>× rows:</source>
        <translation>× 行：</translation>
    </message>
    <message>
        <source>Outer learning rate:</source>
        <translation>外层学习率：</translation>
    </message>
    <message>
        <source>Momentum:</source>
        <translation>动量：</translation>
    </message>
</context>
</TS>
